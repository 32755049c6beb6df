// Docker's .dockerignore matcher (moby/patternmatcher), verdict for verdict,
// and Buildah's (containers/storage's pkg/fileutils; see PatternSyntax).
//
// All rules of an ignore file are compiled into one Matcher. Each verdict
// carries the rule that decided it and whether that rule matched the path
// itself or one of its parent directories, so `ctxpack why` can explain it.
//
// The three ways Docker asks the matcher a question are all here, because
// Docker uses all three and they can disagree:
//  - matches_or_parents: a pattern counts if it matches the path or any
//    parent (MatchesOrParentMatches; CLI validation, BuildKit's Open).
//  - matches_with_parent: a pattern counts if it matched the parent
//    directory during the walk, else if it matches the path
//    (MatchesUsingParentResults; the legacy tar walk and BuildKit's walk).
//  - matches_one_parent: the deprecated single-ancestor check (Matches),
//    which the CLI still uses to decide whether to re-add the Dockerfile.
//
// Patterns are evaluated in Docker's order ("last match wins", with
// inclusions skipped once a path is excluded and exceptions skipped while
// it is not), and a malformed pattern is an error only when Docker would
// evaluate it. The deciding rule is the last one Docker evaluates that
// matches.
//
// Speed: the patterns are compiled into automata (one per 64 patterns)
// that read a clean path once and report, for every pattern, whether it
// matches the path and whether it matches a parent; the evaluation order
// is then replayed on those bits. Paths that are not clean (Docker accepts them too) and
// patterns the automaton cannot hold (word boundaries, malformed ones)
// take Docker's pattern-by-pattern route.
//
// Not safe for concurrent use (the automaton caches states as it goes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/support/error.h"
#include "ctxpack/rules/ignore_file.h"
#include "ctxpack/rules/regex.h"

namespace ctxpack {

// How a pattern becomes a Go regular expression.
//  - kMoby: Docker's moby/patternmatcher. `.`, `+`, `(`, `)` and `$` are
//    escaped; patterns without wildcards, and "**"-led or -ended ones, are
//    compared as plain text; a parent counts through the caller's checks.
//  - kContainersStorage: containers/storage's pkg/fileutils (Buildah,
//    Podman). Only `.` and `$` are escaped, so `+`, `(` and `)` are regexp
//    operators; every pattern is a regexp, and it ends in "(/.*)?$", so it
//    matches a path when it matches the path or any parent. Each path is
//    judged on its own, by the last pattern that matches it.
enum class PatternSyntax { kMoby, kContainersStorage };

// One compiled pattern (without its '!').
class Pattern {
 public:
  // Docker's match types, plus kInvalid for a regular expression Go
  // rejects (an error whenever the pattern is evaluated).
  enum class Kind { kExact, kPrefix, kSuffix, kRegex, kInvalid };

  explicit Pattern(std::string cleaned, PatternSyntax syntax = PatternSyntax::kMoby);
  Pattern(Pattern&&) noexcept;
  ~Pattern();

  // 1: matches, 0: does not, -1: the pattern is malformed.
  int match(std::string_view path) const;
  // Whether the pattern matches a parent directory of `path`, the way
  // Docker lists them (filepath.Dir split at '/'); a malformed pattern
  // matches nothing.
  bool matches_a_parent(std::string_view path) const;
  // For a clean relative path: the length of the shortest parent the
  // pattern matches, npos if none.
  size_t first_parent(std::string_view path) const;

  const std::string& text() const { return text_; }
  Kind kind() const { return kind_; }
  // Number of '/'-separated components (Docker's len(pattern.dirs)).
  size_t component_count() const { return components_; }
  // The Go regular expression Docker builds for a kRegex or kInvalid
  // pattern, "" otherwise.
  const std::string& regex_source() const { return regex_source_; }
  // kExact: the text; kPrefix: the text before the trailing "**";
  // kSuffix: the text after the leading "**".
  const std::string& literal() const { return literal_; }

  // Adds this pattern to `set` as one member, or a placeholder member
  // when it must be judged on its own. Returns whether it was added.
  bool add_to(RegexSet& set) const;

 private:
  std::string text_;
  std::string literal_;
  std::string regex_source_;
  std::unique_ptr<Regex> regex_;
  Kind kind_ = Kind::kExact;
  size_t components_ = 1;
};

struct Verdict {
  bool excluded = false;
  const Rule* rule = nullptr;  // the deciding rule (owned by the Matcher); null when no rule matched
  bool via_parent = false;     // the deciding rule matched a parent directory, not the path
};

// A malformed pattern was evaluated (Docker: "syntax error in pattern").
class PatternError : public Error {
 public:
  explicit PatternError(const Rule& rule);
};

// Rules are numbered in one index space, 0 to size() - 1, in their order;
// a rule whose pattern is blank (Docker skips those) is dropped on the way
// in, so rules() may be shorter than what the constructor was given.
class Matcher {
 public:
  // Docker's patternmatcher.New (storage's NewPatternMatcher checks the
  // same). Throws Error naming the rule's file and line for "!" alone and
  // for syntax errors Go's filepath.Match reports.
  explicit Matcher(std::vector<Rule> rules, PatternSyntax syntax = PatternSyntax::kMoby);
  Matcher(Matcher&&) noexcept;
  ~Matcher();

  // Per-directory memory of which patterns matched, carried down a walk.
  class Trail {
   public:
    Trail() = default;

   private:
    friend class Matcher;
    std::vector<uint64_t> matched_;  // a bit per pattern; empty: no information
  };

  Verdict matches_or_parents(std::string_view path) const;
  // `parent` is the Trail of the path's directory, or null at the top.
  // `out` (may be null) receives this path's Trail, for its children.
  // kContainersStorage keeps no trail: the same as matches_or_parents.
  Verdict matches_with_parent(std::string_view path, const Trail* parent, Trail* out) const;
  Verdict matches_one_parent(std::string_view path) const;

  PatternSyntax syntax() const { return syntax_; }
  size_t size() const { return patterns_.size(); }
  bool empty() const { return patterns_.empty(); }
  bool has_exceptions() const { return has_exceptions_; }
  // Whether some pattern would fail if evaluated (Docker only fails when it is).
  bool has_invalid_patterns() const;
  bool is_exception(size_t i) const { return bit(exception_, i); }
  const std::vector<Rule>& rules() const { return rules_; }
  const Rule& rule(size_t i) const { return rules_[i]; }
  // The index of one of this matcher's rules (a Verdict's).
  size_t index_of(const Rule& rule) const { return static_cast<size_t>(&rule - rules_.data()); }
  const Pattern& pattern(size_t i) const { return patterns_[i]; }
  // The shortest parent directory of `path` that `rule` matches; "" if none.
  std::string parent_matched_by(const Rule& rule, std::string_view path) const;
  // States the automata's caches hold (for tests of their bounds).
  size_t dfa_states() const;

 private:
  static bool bit(const std::vector<uint64_t>& bits, size_t i) { return (bits[i / 64] >> (i % 64)) & 1; }
  // Fills the hit sets for a clean relative path.
  void scan(std::string_view path, bool parents) const;
  // Docker's loop over the patterns, on precomputed hits. `trail`: the
  // parent's results (null: none); `use_parents`: hits on parents count.
  Verdict replay(std::string_view path, const uint64_t* trail, bool use_parents, uint64_t* out) const;
  // Docker's algorithms pattern by pattern, for any path.
  Verdict matches_or_parents_slow(std::string_view path) const;
  Verdict matches_with_parent_slow(std::string_view path, const Trail* parent, Trail* out) const;
  [[noreturn]] void fail(size_t pattern) const;

  // kContainersStorage: the deciding rule's via_parent, which its regexp's
  // "(/.*)?" suffix hides (for explanations only).
  Verdict with_storage_parent(Verdict v, std::string_view path) const;

  PatternSyntax syntax_ = PatternSyntax::kMoby;
  std::vector<Rule> rules_;
  std::vector<Pattern> patterns_;  // one per rule
  std::vector<uint64_t> exception_;  // a bit per pattern
  std::vector<uint64_t> alone_;      // patterns the automaton does not judge
  bool has_exceptions_ = false;
  std::vector<RegexSet> automata_;  // pattern i is member i % 64 of automata_[i / 64]
  mutable std::vector<uint64_t> file_hits_, parent_hits_;
};

// Go's filepath.Match(pattern, name), used by Docker to reject malformed
// patterns up front. 1: match, 0: no match, -1: ErrBadPattern.
int go_filepath_match(std::string_view pattern, std::string_view name);

}  // namespace ctxpack
