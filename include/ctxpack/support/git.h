// What git knows about a directory's files, asked of the git program (no
// shell, no hooks, no prompts).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace ctxpack {

struct GitRun {
  bool with_stderr = false;      // stderr into the output too (else discarded)
  std::vector<std::string> env;  // more NAME=VALUE variables
};

// Runs the git program with `args` (no shell), stdin from /dev/null, its
// output appended to `out`, without the caller's GIT_* variables and with
// no prompts or system configuration. Its exit status, or -1.
int run_git(const std::vector<std::string>& args, std::string* out, const GitRun& how = {});

// Which files git tracks among `paths` (relative to `dir`; a directory
// stands for every file below it); nullopt when `dir` is not in a git work
// tree or git cannot be run.
std::optional<std::set<std::string>> git_tracked(const std::string& dir, const std::vector<std::string>& paths);

// What a fresh clone of the work tree holding `dir` lacks: the files there
// that git does not track, ignored ones included.
class UntrackedFiles {
 public:
  // nullopt when `dir` is not in a git work tree or git cannot be run.
  static std::optional<UntrackedFiles> list(const std::string& dir);
  // Whether `path` (relative to `dir`) is untracked: listed, below an
  // untracked directory, or inside a repository's own .git.
  bool contains(std::string_view path) const;

 private:
  std::unordered_set<std::string> paths_;  // directories listed once, as "dir" not "dir/..."
};

}  // namespace ctxpack
