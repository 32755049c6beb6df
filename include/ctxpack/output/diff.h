// Unified diffs (diff -u, git diff) of small text files: how `fix` shows
// the change it would make to an ignore file.
#pragma once

#include <string>
#include <string_view>

namespace ctxpack {

// `before` and `after` as a unified diff with three lines of context,
// headed `--- a/NAME` / `+++ b/NAME` (`--- /dev/null` when the file does
// not exist yet); "" when they are equal. A last line without a newline
// gets git's "\ No newline at end of file". Files too long to compare
// line by line (past a few thousand lines) come out as one hunk that
// replaces the whole file.
std::string unified_diff(const std::string& name, std::string_view before, std::string_view after, bool before_exists);

}  // namespace ctxpack
