// What the ignore file gets wrong, judged from the entries of a walk.
//
// Every check looks at one walked entry at a time and keeps only small
// per-rule state, so a context of a million files costs no more memory
// than one of a thousand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/context/context.h"
#include "ctxpack/context/walk.h"
#include "ctxpack/report/finding.h"

namespace ctxpack {

// Rules that match nothing, rules whose every match is decided by another
// rule, a trailing '/' that also hits files, bare names that only match
// at the root while nested ones are sent, malformed patterns never
// evaluated, and comments that are really part of a pattern. Give it
// every entry of a walk with WalkOptions::include_excluded. Rules the
// client adds itself are not judged.
class RuleLint {
 public:
  explicit RuleLint(const Matcher& matcher);
  void observe(const WalkEntry& e);
  std::vector<Finding> finish() const;

 private:
  struct State {
    bool matched = false;          // the pattern matched some path
    bool decided = false;          // it decided some path's verdict
    std::string first_match;       // a path it matched...
    int first_match_decider = -1;  // ...and the rule that decided that path
    bool hit_non_dir = false;      // it matched a non-directory itself
    std::string non_dir_example;
    bool invalid = false;  // evaluating it failed
    uint64_t nested = 0;   // sent entries below the root its bare name matches
    std::string nested_example;
  };
  void search(const WalkEntry& e, bool is_dir);
  void count_nested(const WalkEntry& e, bool is_dir);
  void judge(size_t i, std::vector<Finding>& out) const;

  const Matcher& matcher_;
  std::vector<State> state_;       // by rule index
  std::vector<size_t> searching_;  // rules that have not matched yet
  std::vector<size_t> file_hunt_;  // trailing-slash rules that have not matched a file yet
  std::vector<size_t> root_only_;  // bare-name exclusions to test against nested names
};

// The line as its author meant it when it holds a would-be comment (an
// indented '#', a '//', a '#' after a pattern): the comment in column 1,
// on a line of its own before the pattern, if any; nullopt otherwise.
std::optional<std::string> intended_line(std::string_view text);

// Exceptions a builder's walk cannot honour: what they re-include lies in
// excluded directories it never enters (the classic client enters one only
// when an exception's literal text starts with its path, so `!**/*.py`
// cannot reach inside). Give it every entry of that builder's walk with
// WalkOptions::include_excluded.
class UnreachableExceptionLint {
 public:
  explicit UnreachableExceptionLint(const BuildContext& ctx);
  // Whether there is anything to check (the walk can prune what an
  // exception with a wildcard re-includes).
  bool active() const { return active_; }
  void observe(const WalkEntry& e);
  std::vector<Finding> finish() const;

 private:
  struct Hit {
    uint64_t count = 0;
    std::string example;
  };
  const BuildContext& ctx_;
  bool active_ = false;
  std::vector<Hit> hits_;  // by rule index
};

}  // namespace ctxpack
