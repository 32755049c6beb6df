#include "ctxpack/report/rule_lint.h"

#include "ctxpack/output/format.h"
#include "ctxpack/support/path.h"
#include "ctxpack/support/utf8.h"

namespace ctxpack {

namespace {

Finding rule_finding(Severity sev, const char* code, const Rule& rule, std::string message, std::string path = {}) {
  Finding f;
  f.severity = sev;
  f.code = code;
  f.message = std::move(message);
  f.path = std::move(path);
  f.rule = rule;
  f.about_rule = true;
  return f;
}

bool is_dir_entry(const WalkEntry& e) { return e.entry->info.type == FileType::kDirectory; }

// A bare name written the gitignore way: one component, not starting with
// "**", and with something literal in it (a lone "*" is meant for the root).
bool is_bare_name(std::string_view p) {
  if (p.find('/') != std::string_view::npos || p.starts_with("**")) return false;
  if (p == "." || p == "..") return false;
  return p.find_first_not_of("*?") != std::string_view::npos;
}

// Where a comment is meant but Docker reads a pattern.
enum class CommentHabit { kNone, kInline, kIndented, kSlashes };
CommentHabit comment_habit(std::string_view text) {
  std::string_view t = trim_space(text);
  if (t.empty()) return CommentHabit::kNone;
  if (t[0] == '#') return CommentHabit::kIndented;  // column 1 would have made it a comment
  if (t.starts_with("//")) return CommentHabit::kSlashes;
  for (size_t i = 1; i < t.size(); ++i) {
    if (t[i] == '#' && (t[i - 1] == ' ' || t[i - 1] == '\t')) return CommentHabit::kInline;
  }
  return CommentHabit::kNone;
}

}  // namespace

std::optional<std::string> intended_line(std::string_view text) {
  const std::string_view t = trim_space(text);
  switch (comment_habit(t)) {
    case CommentHabit::kIndented:
      return std::string(t);
    case CommentHabit::kSlashes:
      return "#" + std::string(t.substr(2));
    case CommentHabit::kInline: {
      size_t hash = 1;
      while (!(t[hash] == '#' && (t[hash - 1] == ' ' || t[hash - 1] == '\t'))) ++hash;
      return std::string(t.substr(hash)) + "\n" + std::string(trim_space(t.substr(0, hash)));
    }
    case CommentHabit::kNone:
      break;
  }
  return std::nullopt;
}

namespace {

bool has_trailing_slash(const Rule& r) {
  std::string_view t = trim_space(r.text);
  return t.size() > 1 && t.back() == '/' && t.find_first_not_of("/!") != std::string_view::npos;
}

int rule_index(const Matcher& m, const Verdict& v) {
  return v.rule ? static_cast<int>(m.index_of(*v.rule)) : -1;
}

// "/x" and "./x" say "only at the root" on purpose.
bool explicitly_anchored(const Rule& r) {
  std::string_view t = trim_space(r.text);
  return t.starts_with("/") || t.starts_with("./");
}

}  // namespace

RuleLint::RuleLint(const Matcher& matcher) : matcher_(matcher), state_(matcher.size()) {
  for (size_t i = 0; i < matcher.size(); ++i) {
    const Rule& rule = matcher.rule(i);
    if (rule.origin == RuleOrigin::kClient) continue;
    searching_.push_back(i);
    if (has_trailing_slash(rule)) file_hunt_.push_back(i);
    if (!matcher.is_exception(i) && is_bare_name(matcher.pattern(i).text()) && !explicitly_anchored(rule)) {
      root_only_.push_back(i);
    }
  }
}

void RuleLint::observe(const WalkEntry& e) {
  const bool is_dir = is_dir_entry(e);
  const int decider = rule_index(matcher_, e.verdict);
  if (decider >= 0) state_[decider].decided = true;
  search(e, is_dir);
  if (!e.sent || e.path.find('/') == std::string_view::npos || root_only_.empty()) return;
  // A nested name a bare root-only rule was probably meant for, unless an
  // exception deliberately re-included it.
  if (decider >= 0 && matcher_.is_exception(decider)) return;
  count_nested(e, is_dir);
}

// Once a rule has matched (or failed) it needs no more testing.
void RuleLint::search(const WalkEntry& e, bool is_dir) {
  for (size_t k = 0; k < searching_.size();) {
    State& s = state_[searching_[k]];
    int m = matcher_.pattern(searching_[k]).match(e.path);
    if (m == 0) {
      ++k;
      continue;
    }
    if (m < 0) s.invalid = true;
    if (m == 1) {
      s.matched = true;
      s.first_match = display_path(e.path, is_dir);
      s.first_match_decider = rule_index(matcher_, e.verdict);
    }
    searching_[k] = searching_.back();
    searching_.pop_back();
  }
  if (is_dir) return;
  for (size_t k = 0; k < file_hunt_.size();) {
    State& s = state_[file_hunt_[k]];
    int m = matcher_.pattern(file_hunt_[k]).match(e.path);
    if (m == 0) {
      ++k;
      continue;
    }
    if (m == 1) {
      s.hit_non_dir = true;
      s.non_dir_example = std::string(e.path);
    }
    file_hunt_[k] = file_hunt_.back();
    file_hunt_.pop_back();
  }
}

void RuleLint::count_nested(const WalkEntry& e, bool is_dir) {
  std::string_view name = base_name(e.path);
  for (size_t i : root_only_) {
    if (matcher_.pattern(i).match(name) == 1) {
      State& s = state_[i];
      if (s.nested++ == 0) s.nested_example = display_path(e.path, is_dir);
    }
  }
}

std::vector<Finding> RuleLint::finish() const {
  std::vector<Finding> out;
  for (size_t i = 0; i < state_.size(); ++i) {
    if (matcher_.rule(i).origin != RuleOrigin::kClient) judge(i, out);
  }
  return out;
}

void RuleLint::judge(size_t i, std::vector<Finding>& out) const {
  const Rule& rule = matcher_.rule(i);
  const State& s = state_[i];
  const std::string& pat = matcher_.pattern(i).text();
  const CommentHabit habit = comment_habit(rule.text);
  switch (habit) {
    case CommentHabit::kSlashes:
      out.push_back(rule_finding(Severity::kWarning, "inline-comment", rule,
                                 "'//' does not start a comment in an ignore file: this line is the pattern \"" +
                                     rule.pattern + "\"; start comments with '#' in column 1"));
      break;
    case CommentHabit::kInline:
      out.push_back(rule_finding(Severity::kWarning, "inline-comment", rule,
                                 "'#' starts a comment only in column 1: this whole line is the pattern \"" +
                                     rule.pattern + "\"; put the comment on a line of its own"));
      break;
    case CommentHabit::kIndented:
      out.push_back(rule_finding(Severity::kWarning, "inline-comment", rule,
                                 "an indented '#' is not a comment: this line is the pattern \"" + rule.pattern +
                                     "\"; start the comment in column 1"));
      break;
    case CommentHabit::kNone:
      break;
  }
  if (has_trailing_slash(rule)) {
    if (s.hit_non_dir) {
      out.push_back(rule_finding(Severity::kWarning, "trailing-slash", rule,
                                 "the trailing '/' does not limit the rule to directories: it also matches the file " +
                                     quote_path(s.non_dir_example),
                                 s.non_dir_example));
    } else {
      out.push_back(rule_finding(Severity::kInfo, "trailing-slash", rule,
                                 "the trailing '/' is dropped: Docker matches files and directories alike"));
    }
  }
  if (s.nested > 0) {
    out.push_back(rule_finding(Severity::kWarning, "root-only-pattern", rule,
                               "\"" + pat + "\" matches only at the context root, but " +
                                   plural(s.nested, "nested path", "nested paths") + " such as " +
                                   quote_path(s.nested_example) + (s.nested == 1 ? " is" : " are") +
                                   " sent; write \"**/" + pat + "\" to match at any depth",
                               s.nested_example));
  }
  if (!s.matched) {
    // The comment finding, or the nested matches, say it all.
    if (habit != CommentHabit::kNone || s.nested > 0) return;
    if (s.invalid) {
      out.push_back(rule_finding(Severity::kWarning, "invalid-pattern", rule,
                                 "malformed pattern: Docker fails the build (\"syntax error in pattern\") as soon as "
                                 "it has to evaluate it"));
    } else {
      // In a clean checkout the build output and dependency trees a rule
      // is for are simply not there yet.
      out.push_back(rule_finding(Severity::kInfo, "unused-rule", rule, "matches nothing in the context"));
    }
    return;
  }
  if (s.decided) return;
  const int d = s.first_match_decider;
  // A rule the client adds (the docker CLI's re-includes) only changes what
  // is uploaded: the daemon still hides what the file's rule excludes.
  if (d >= 0 && matcher_.rule(d).origin == RuleOrigin::kClient) return;
  const std::string example = " (e.g. " + quote_path(s.first_match) + ")";
  if (d < 0) {
    out.push_back(rule_finding(Severity::kInfo, "redundant-rule", rule,
                               "re-includes nothing: nothing it matches is excluded" + example, s.first_match));
  } else if (static_cast<size_t>(d) > i) {
    out.push_back(rule_finding(Severity::kWarning, "overridden-rule", rule,
                               "has no effect: every path it matches is decided by the later rule " +
                                   rule_reference(matcher_.rule(d)) + example,
                               s.first_match));
  } else {
    out.push_back(rule_finding(Severity::kInfo, "redundant-rule", rule,
                               "has no effect: what it matches is already decided by the earlier rule " +
                                   rule_reference(matcher_.rule(d)) + example,
                               s.first_match));
  }
}

UnreachableExceptionLint::UnreachableExceptionLint(const BuildContext& ctx)
    : ctx_(ctx), hits_(ctx.matcher->size()) {
  const Matcher& m = *ctx.matcher;
  if (!ctx.walk.prunes_reincluded) return;
  for (size_t i = 0; i < m.size(); ++i) {
    if (m.is_exception(i) && m.pattern(i).text().find_first_of("*?[\\") != std::string::npos) active_ = true;
  }
}

void UnreachableExceptionLint::observe(const WalkEntry& e) {
  if (!active_ || !e.pruned) return;
  // What the rules alone say about a path the walk never reached.
  Verdict v;
  try {
    v = ctx_.matcher->matches_or_parents(e.path);
  } catch (const PatternError&) {
    return;
  }
  if (v.excluded || !v.rule) return;
  Hit& h = hits_[ctx_.matcher->index_of(*v.rule)];
  if (h.count++ == 0) h.example = display_path(e.path, is_dir_entry(e));
}

std::vector<Finding> UnreachableExceptionLint::finish() const {
  std::vector<Finding> out;
  const Builder& b = *ctx_.builder;
  for (size_t r = 0; r < hits_.size(); ++r) {
    const Hit& h = hits_[r];
    if (h.count == 0) continue;
    const std::string code = std::string(b.id()) + "-unreachable-exception";
    out.push_back(rule_finding(
        Severity::kWarning, code.c_str(), ctx_.matcher->rule(r),
        std::string(b.subject()) + " cannot honour this exception: it never enters the excluded " +
            (h.count == 1 ? std::string("directory holding the path")
                          : "directories holding the " + std::to_string(h.count) + " paths") +
            " it re-includes (e.g. " + quote_path(h.example) + "), as " + ctx_.walk.prunes_reincluded + "; " +
            std::string(default_builder().subject()) + " sends " + (h.count == 1 ? "it" : "them"),
        h.example));
  }
  return out;
}

}  // namespace ctxpack
