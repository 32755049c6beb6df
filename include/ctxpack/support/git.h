// What git knows about a directory's files, asked of the git program (no
// shell, no hooks, no prompts).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ctxpack {

// Which of `paths` (relative to `dir`) git tracks; nullopt when `dir` is
// not in a git work tree or git cannot be run.
std::optional<std::set<std::string>> git_tracked(const std::string& dir, const std::vector<std::string>& paths);

}  // namespace ctxpack
