#include "ctxpack/support/git.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "ctxpack/support/path.h"

extern char** environ;

namespace ctxpack {

int run_git(const std::vector<std::string>& git_args, std::string* out, const GitRun& how) {
  std::vector<std::string> argv{"git"};
  argv.insert(argv.end(), git_args.begin(), git_args.end());
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  if (how.with_stderr) {
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  }
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // No prompts, no pager, no system or user config steering the answer.
  std::vector<std::string> env_strings = {"GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "GIT_PAGER=cat",
                                          "LC_ALL=C"};
  env_strings.insert(env_strings.end(), how.env.begin(), how.env.end());
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "GIT_", 4) != 0) env_strings.emplace_back(*e);
  }
  std::vector<char*> env;
  for (std::string& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  pid_t pid;
  int err = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (err != 0) {
    ::close(pipe_fds[0]);
    return -1;
  }
  char buf[65536];
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out->append(buf, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {

std::vector<std::string> split_nul(const std::string& out) {
  std::vector<std::string> items;
  for (size_t i = 0; i < out.size();) {
    size_t end = out.find('\0', i);
    if (end == std::string::npos) end = out.size();
    items.push_back(out.substr(i, end - i));
    i = end + 1;
  }
  return items;
}

}  // namespace

std::optional<std::set<std::string>> git_tracked(const std::string& dir, const std::vector<std::string>& paths) {
  std::string out;
  // In batches, to stay clear of the limit on a command line's length.
  for (size_t start = 0; start < paths.size(); start += 500) {
    std::vector<std::string> argv = {"-C", dir, "ls-files", "-z", "--"};
    for (size_t i = start; i < paths.size() && i < start + 500; ++i) argv.push_back(":(literal)" + paths[i]);
    if (run_git(argv, &out) != 0) return std::nullopt;
  }
  std::vector<std::string> items = split_nul(out);
  return std::set<std::string>(items.begin(), items.end());
}

std::optional<UntrackedFiles> UntrackedFiles::list(const std::string& dir) {
  std::string out;
  // --directory lists a wholly untracked directory once (node_modules/), so
  // the answer stays small however many files a working copy piles up.
  if (run_git({"-C", dir, "ls-files", "-z", "--others", "--directory"}, &out) != 0) return std::nullopt;
  UntrackedFiles files;
  for (std::string& p : split_nul(out)) {
    while (p.ends_with('/')) p.pop_back();
    files.paths_.insert(std::move(p));
  }
  return files;
}

bool UntrackedFiles::contains(std::string_view path) const {
  for (std::string_view p = path; !p.empty(); p = parent_path(p)) {
    if (base_name(p) == ".git" || paths_.count(std::string(p))) return true;
  }
  return false;
}

}  // namespace ctxpack
