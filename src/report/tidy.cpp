#include "ctxpack/report/tidy.h"

#include <algorithm>

#include "ctxpack/output/format.h"
#include "ctxpack/report/rule_lint.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

bool is_tidy_up(const Finding& f) {
  return f.rule && f.rule->line && (f.code == "overridden-rule" || f.code == "inline-comment");
}

namespace {

std::string_view unexcepted(std::string_view pattern) { return pattern.starts_with("!") ? pattern.substr(1) : pattern; }

// Whether a later rule decides every path `r` could ever match, not only
// those in this tree: the same pattern again, a catch-all, or a literal
// directory that `r`'s literal leading components lie within. A rule that
// merely overlaps another today (`*.log` before `logs`) still says what
// to do with tomorrow's files.
bool overridden_everywhere(const Rule& r, const std::vector<Rule>& rules) {
  const std::string_view p = unexcepted(r.pattern);
  std::string literal;
  for (const std::string& c : path_components(p)) {
    if (c.find_first_of("*?[\\") != std::string::npos) break;
    literal = join_path(literal, c);
  }
  return std::any_of(rules.begin(), rules.end(), [&](const Rule& later) {
    if (later.line <= r.line) return false;
    const std::string_view q = unexcepted(later.pattern);
    if (q == p || q == "*" || q == "**") return true;
    return q.find_first_of("*?[\\") == std::string_view::npos && !literal.empty() && is_at_or_below(literal, q);
  });
}

Verifier::CheckMode tidy_mode() {
  Verifier::CheckMode mode;
  mode.tidy = true;
  return mode;
}

void propose(Finding& f, Verifier& verifier) {
  IgnoreEdit edit{verifier.ignore_file(), f.rule->line, std::nullopt};
  if (f.code == "overridden-rule" &&
      !overridden_everywhere(*f.rule, parse_ignore_file(verifier.ignore_content(), edit.file).rules)) {
    return;
  }
  if (f.code == "inline-comment") {
    edit.text = intended_line(f.rule->text);
    if (!edit.text) return;
  }
  const std::string content = apply_edit(verifier.ignore_content(), edit);
  const Verified same = verifier.check_content(content, tidy_mode());
  if (same.holds) {
    f.fix = edit;
    return;
  }
  // Deleting a rule must change nothing; a pattern freed from its comment
  // is a change like any other, and says what it does.
  if (f.code != "inline-comment" || same.entries_removed == 0) return;
  const Verified v = verifier.check_content(content);
  if (!v.holds) return;
  f.message += "; on a line of its own the pattern keeps out " + removed_listing(v) + " (" +
               plural(v.files_saved, "file", "files") + ", " + human_size(v.bytes_saved) +
               (v.copy_checked ? "; no COPY source affected)" : ")");
  f.fix = edit;
}

}  // namespace

void propose_tidy_ups(std::vector<Finding>& findings, Verifier& verifier) {
  for (Finding& f : findings) {
    if (is_tidy_up(f)) propose(f, verifier);
  }
}

}  // namespace ctxpack
