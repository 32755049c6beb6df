// Findings about a build context: what is risky to send (hazards) and what
// the ignore file gets wrong (lint).
//
// Every check looks at one walked entry at a time and keeps only small
// per-rule state, so a context of a million files costs no more memory
// than one of a thousand. `ctxpack report` drives them (report.h).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/context/context.h"
#include "ctxpack/support/filesystem.h"
#include "ctxpack/rules/ignore_file.h"
#include "ctxpack/rules/matcher.h"
#include "ctxpack/context/walk.h"

namespace ctxpack {

enum class Severity { kInfo, kWarning, kError };

// "info", "warning", "error".
std::string_view severity_name(Severity s);
// The inverse; throws Error for anything else.
Severity parse_severity(std::string_view name);

struct Finding {
  Severity severity = Severity::kWarning;
  std::string code;         // stable, kebab-case (README lists them)
  std::string message;      // one line
  std::string path;         // the context path involved (directories end in '/'); "" if none
  std::string rule;         // rule_reference() of the rule involved; "" if none
  std::string file;         // the ignore file holding that rule, as the user named it ("" if none)
  size_t line = 0;          // its line (0 if none)
  bool about_rule = false;  // the rule is the subject (ignore-file lint); else the path is
};

// Every finding code, for documentation and tests.
struct FindingCode {
  const char* code;
  Severity severity;  // the usual severity (some codes vary with what was found)
  const char* summary;
};
const std::vector<FindingCode>& finding_codes();

// --- Ignore-file lint ------------------------------------------------------

// What the rules do to the context, judged from every entry of a walk with
// WalkOptions::include_excluded: rules that match nothing, rules whose
// every match is decided by another rule, a trailing '/' that also hits
// files, bare names that only match at the root while nested ones are
// sent, malformed patterns never evaluated, and comments that are really
// part of a pattern. Rules the docker CLI adds itself are not judged.
class RuleLint {
 public:
  RuleLint(const Matcher& matcher, const IgnoreFile& ignore);
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
  const Matcher& matcher_;
  std::vector<const Rule*> rules_;    // by rule index
  std::vector<size_t> rule_of_;       // pattern index -> rule index
  std::vector<int> pattern_of_rule_;  // rule index -> pattern index (-1: none)
  std::vector<State> state_;          // by pattern index
  std::vector<size_t> searching_;     // patterns that have not matched yet
  std::vector<size_t> file_hunt_;     // trailing-slash patterns that have not matched a file yet
  std::vector<size_t> root_only_;     // bare-name exclusions to test against nested names
};

// Where the legacy builder cannot honour an exception: it never enters an
// excluded directory unless an exception's literal text starts with it, so
// a wildcard exception (`!**/*.py`) cannot reach inside. Judges the
// entries of a legacy walk with WalkOptions::include_excluded.
class LegacyReachLint {
 public:
  LegacyReachLint(const Matcher& legacy_matcher, const IgnoreFile& legacy_ignore);
  // Whether there is anything to check (an exception with a wildcard).
  bool active() const { return active_; }
  void observe(const WalkEntry& e);
  std::vector<Finding> finish() const;

 private:
  struct Hit {
    uint64_t count = 0;
    std::string example;
  };
  const Matcher& matcher_;
  bool active_ = false;
  std::vector<const Rule*> rules_;
  std::vector<Hit> hits_;  // by rule index
};

// The paths one builder sends and the other does not. The other builder's
// walk is recorded first (SentPathRecorder, into an unnamed temporary
// file, so memory stays flat); the main walk's sent entries are then
// merged against it in walk order. A directory sent by one builder only,
// together with what below it is sent by that builder only, makes one
// finding.
class SentPathRecorder : public WalkVisitor {
 public:
  SentPathRecorder();
  ~SentPathRecorder() override;
  void visit(const WalkEntry& e) override;
  void warning(const std::string&) override {}
  FILE* release();  // rewound, owned by the caller

 private:
  FILE* file_;
};

class BuilderDiff {
 public:
  // `main_ctx` is the context being reported, `other_ctx` the other
  // builder's; `recorded` holds other_ctx's sent paths (SentPathRecorder).
  BuilderDiff(const BuildContext& main_ctx, const BuildContext& other_ctx, FILE* recorded);
  ~BuilderDiff();
  BuilderDiff(const BuilderDiff&) = delete;
  BuilderDiff& operator=(const BuilderDiff&) = delete;
  // Sent entries of the main walk, in walk order.
  void observe_sent(const WalkEntry& e);
  std::vector<Finding> finish();

 private:
  void only_in(bool main_side, std::string_view path, bool is_dir, int rule);
  void close_group();
  bool next_other();

  const BuildContext& main_;
  const BuildContext& other_;
  FILE* file_;
  bool other_valid_ = false;
  std::string other_path_;
  bool other_is_dir_ = false;
  int other_rule_ = -1;
  char* line_ = nullptr;  // getdelim's buffer
  size_t line_cap_ = 0;
  // The open group: a directory one side sends alone, and the count of
  // paths below it that side also sends alone.
  bool group_open_ = false;
  bool group_main_ = false;
  std::string group_path_;
  bool group_is_dir_ = false;
  bool group_has_files_ = false;
  int group_rule_ = -1;
  uint64_t group_below_ = 0;
  std::vector<Finding> findings_;
};

// Component-wise order of slash-separated paths: the order of a pre-order
// walk whose siblings are sorted byte-wise ("a" < "a/b" < "a-c").
int compare_walk_order(std::string_view a, std::string_view b);

// --- Hazards ----------------------------------------------------------------

// Why a sent file is risky by its name (and, for some, its first bytes):
// "" when it is not. `read_head` returns the start of the file (it is only
// called for names whose risk depends on content).
struct SecretKind {
  const char* what = nullptr;  // "private key", "AWS credentials"...; null when not secret-prone
  Severity severity = Severity::kError;
};
SecretKind classify_secret(std::string_view path, const std::function<std::string()>& read_head);

// Hazards among the entries of a walk: secret-prone files, a .git
// directory, symlinks that dangle or leave the context, unreadable
// entries, special files. Give it every entry (sent or not) of a walk with
// WalkOptions::stat.
class HazardScanner {
 public:
  HazardScanner(FileSystem& fs, Builder builder);
  void observe(const WalkEntry& e);
  std::vector<Finding> finish() { return std::move(findings_); }

 private:
  bool may_be_unreadable(const FileInfo& info) const;
  void check_symlink(const WalkEntry& e);
  std::string read_head(const WalkEntry& e);

  FileSystem& fs_;
  Builder builder_;
  uint32_t euid_;
  std::vector<uint32_t> groups_;
  std::vector<Finding> findings_;
};

// Where a symlink at `link_path` (in the context) with `target` ends up,
// resolved inside the context through `fs` without ever leaving it.
enum class LinkStatus { kInside, kDangling, kOutside, kLoop };
LinkStatus resolve_symlink(FileSystem& fs, std::string_view link_path, std::string_view target);

}  // namespace ctxpack
