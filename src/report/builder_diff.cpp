#include "ctxpack/report/builder_diff.h"

#include <algorithm>
#include <cctype>

#include "ctxpack/output/format.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

namespace {

std::string capitalized(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

bool is_below(std::string_view path, std::string_view dir) { return path != dir && is_at_or_below(path, dir); }

}  // namespace

BuilderDiff::BuilderDiff(const BuildContext& main, Selection& other)
    : main_(main), other_(other.ctx), recorded_(*other.sent) {
  next_other();
}

void BuilderDiff::next_other() { other_valid_ = recorded_.next(pending_); }

void BuilderDiff::other_only() {
  const Rule* rule = pending_.rule >= 0 ? &other_.matcher->rule(static_cast<size_t>(pending_.rule)) : nullptr;
  only_in(false, pending_.path, pending_.is_dir, rule);
  next_other();
}

void BuilderDiff::observe_sent(const WalkEntry& e) {
  while (other_valid_ && compare_walk_order(pending_.path, e.path) < 0) other_only();
  if (other_valid_ && pending_.path == e.path) {
    next_other();
    return;
  }
  only_in(true, e.path, e.entry->info.type == FileType::kDirectory, e.verdict.rule);
}

void BuilderDiff::only_in(bool main_side, std::string_view path, bool is_dir, const Rule* rule) {
  if (group_open_ && group_main_ == main_side && is_below(path, group_path_)) {
    ++group_below_;
    group_has_files_ = group_has_files_ || !is_dir;
    return;
  }
  close_group();
  group_open_ = true;
  group_main_ = main_side;
  group_path_ = std::string(path);
  group_is_dir_ = is_dir;
  group_has_files_ = !is_dir;
  group_rule_ = rule;
  group_below_ = 0;
}

void BuilderDiff::close_group() {
  if (!group_open_) return;
  group_open_ = false;
  const BuildContext& sender = group_main_ ? main_ : other_;
  const BuildContext& skipper = group_main_ ? other_ : main_;
  // What the daemon deletes on arrival makes no difference to the build.
  const std::vector<std::string> deleted = sender.builder->deleted_after_upload(*sender.matcher);
  if (std::find(deleted.begin(), deleted.end(), group_path_) != deleted.end() && group_below_ == 0) return;
  Finding f;
  f.code = "builder-disagreement";
  f.path = display_path(group_path_, group_is_dir_);
  f.severity = group_has_files_ ? Severity::kWarning : Severity::kInfo;
  f.message = capitalized(sender.builder->subject()) + " sends " + quote_path(f.path);
  if (group_below_) f.message += " and " + plural(group_below_, "path", "paths") + " below it";
  f.message += "; " + std::string(skipper.builder->subject()) + " does not";
  if (group_is_dir_ && !group_has_files_ && sender.walk.send_excluded_parents) {
    f.message += " (" + std::string(sender.builder->subject()) +
                 " sends an excluded directory that holds re-included files; " +
                 std::string(skipper.builder->subject()) + " sends only those files)";
  }
  // The rule to show: what keeps the path out of the skipping builder's
  // context, else what brings it into the sender's.
  const Rule* rule = nullptr;
  try {
    Verdict v = skipper.matcher->matches_or_parents(group_path_);
    if (v.excluded) rule = v.rule;
  } catch (const PatternError&) {
  }
  if (group_rule_ && group_rule_->origin == RuleOrigin::kClient) f.message += " (the docker CLI re-adds it)";
  if (!rule) rule = group_rule_;
  if (rule) f.rule = *rule;
  findings_.push_back(std::move(f));
}

std::vector<Finding> BuilderDiff::finish() {
  while (other_valid_) other_only();
  close_group();
  return std::move(findings_);
}

}  // namespace ctxpack
