// A linear-time regular-expression engine for the Go regexp (RE2) syntax
// that Docker's pattern translation produces, matching many expressions in
// one pass.
//
// Docker turns a .dockerignore pattern into a Go regular expression and
// lets a lot through raw: `[`, `^`, `\x` escapes, and (through a bug in its
// escape table) `|`, `{` and `}`. So verdicts for odd patterns depend on
// Go's parser: `\d` is a digit class, `\Q` quotes the rest (swallowing the
// trailing `$`), `[^/]` matches a newline while `.` does not, `a|b` is an
// alternation, `x{2}` a repetition, `[z-a]` an error. This module parses
// that syntax as Go does and matches with a lazily built DFA (an NFA
// simulation when word boundaries are involved), so time is linear in
// pattern and text and no input can make it backtrack.
//
// Not supported: Unicode classes (`\pL`, `\p{Greek}`), which are reported
// as syntax errors where Go accepts them; and `(?flags)` groups, which
// Docker's translation cannot produce.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ctxpack {

// Members are numbered in the order they are added and matched together.
// Not safe for concurrent use: matching fills a cache.
class RegexSet {
 public:
  RegexSet();
  ~RegexSet();
  RegexSet(RegexSet&&) noexcept;
  RegexSet& operator=(RegexSet&&) noexcept;

  // Adds a member in Go's regexp syntax (what regexp.Compile accepts).
  // Returns false with *error set, leaving the set as it was, when Go
  // rejects the expression.
  bool add(std::string_view expr, std::string* error);

  // Adds a member that compares plainly, as Docker does for patterns
  // without wildcards: text equal to `literal` (kExact), starting with it
  // (kPrefix), or ending with it or, when it starts with '/', equal to it
  // without that '/' (kSuffix). `literal` must be valid UTF-8 without
  // U+FFFD; then comparing runes is comparing bytes.
  enum class Literal { kExact, kPrefix, kSuffix };
  void add_literal(Literal kind, std::string_view literal);
  // Adds a member that matches nothing, keeping member numbers aligned
  // with the caller's when something is judged elsewhere.
  void add_never();

  size_t size() const;
  // Size of the bit sets match() fills, in 64-bit words.
  size_t words() const { return (size() + 63) / 64; }
  // Whether some member needs a word-boundary context (no DFA then).
  bool needs_context() const;

  // Sets bit i of `file` when member i matches somewhere in `text` (Go's
  // MatchString), and bit i of `parents` (may be null) when it matches a
  // prefix of `text` that ends just before a '/'. Bits are only ever set.
  void match(std::string_view text, uint64_t* file, uint64_t* parents) const;

  // The DFA cache starts over when it would hold more than `states`
  // states or list more than `instructions` instructions in them (by
  // default 10,000 and 4M: about 20 MiB).
  void limit_cache(size_t states, size_t instructions);

  // For tests of the engine's bounds: states the DFA cache holds now.
  size_t dfa_states() const;
  size_t instructions() const;

 private:
  friend class Regex;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A single expression.
class Regex {
 public:
  // Returns null and sets *error when Go would reject `expr`.
  static std::unique_ptr<Regex> compile(std::string_view expr, std::string* error);

  // Go's Regexp.MatchString. Invalid UTF-8 in `text` reads as U+FFFD.
  bool search(std::string_view text) const;
  // Whether search() holds for a prefix of `text` that ends before a '/'.
  bool search_parents(std::string_view text) const;
  // The length of the shortest such prefix; npos when there is none.
  size_t first_parent(std::string_view text) const;

  const RegexSet& set() const { return set_; }

 private:
  RegexSet set_;
};

}  // namespace ctxpack
