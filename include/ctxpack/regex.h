// A linear-time regular-expression engine for the RE2 syntax that Docker's
// pattern translation produces.
//
// Docker turns a .dockerignore pattern into a Go `regexp` (RE2, Perl flags)
// and lets characters like `[`, `^` and `\x` escapes through raw, so the
// verdict for odd patterns depends on RE2's parser: `\d` is a digit class,
// `\Q` quotes the rest (swallowing the trailing `$`), `[^/]` matches a
// newline while `.` does not, `[z-a]` is an error. This module parses that
// syntax and matches with a lazily built DFA (an NFA simulation when word
// boundaries are involved), so time is linear in pattern and path and no
// input can make it backtrack.
//
// Not supported: Unicode classes (`\pL`, `\p{Greek}`); they are reported as
// syntax errors. Docker accepts them, but no path rule in the wild uses them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ctxpack {

class Regex {
 public:
  // Returns null and sets *error when `expr` is not valid RE2 syntax.
  static std::unique_ptr<Regex> compile(std::string_view expr, std::string* error);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Go's Regexp.MatchString: true when some substring matches. Invalid
  // UTF-8 bytes in `text` read as U+FFFD, as in Go.
  bool search(std::string_view text) const;

  // True when search() holds for a prefix of `text` that ends just before
  // a '/', checked in one pass: how a pattern is tried against all the
  // parent directories of a path.
  bool search_parents(std::string_view text) const;

  struct Program;

 private:
  explicit Regex(std::unique_ptr<Program> prog);
  std::unique_ptr<Program> prog_;
};

}  // namespace ctxpack
