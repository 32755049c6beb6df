// Shared by tests/report_test.cpp and tests/lint_test.cpp: scratch copies
// of the fixtures in testdata/report/, in-process reports, and runs of the
// ctxpack binary with its exit status, stdout and stderr.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ctxpack/output/format.h"
#include "ctxpack/report/report.h"

extern char** environ;

namespace ctxpack::testing_support {

namespace fs = std::filesystem;

inline fs::path fixture_dir(const std::string& name) {
  return fs::path(CTXPACK_SOURCE_DIR) / "testdata" / "report" / name;
}

// A fresh directory under the system temp dir (readable by everyone, so
// runs as an unprivileged user can reach it), with `fixture` copied into
// ctx/ when given. Removed, whatever its modes, at the end.
class Scratch {
 public:
  explicit Scratch(const std::string& fixture = "") {
    std::string tmpl = (fs::temp_directory_path() / "ctxpack-report-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    root = tmpl;
    fs::permissions(root, fs::perms(0755));
    ctx = root / "ctx";
    if (fixture.empty()) {
      fs::create_directory(ctx);
    } else {
      fs::copy(fixture_dir(fixture), ctx, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    }
  }
  ~Scratch() {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_symlink(ec)) fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
    fs::permissions(root, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(root, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  // Writes `content` at ctx/`rel`, creating parent directories.
  fs::path write(const std::string& rel, const std::string& content) const {
    fs::path p = ctx / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  fs::path write_size(const std::string& rel, size_t size) const { return write(rel, std::string(size, 'x')); }

  fs::path root;
  fs::path ctx;
};

inline Report report_of(const fs::path& ctx, const Builder* builder = &buildkit_builder(), ReportOptions options = {}) {
  ContextOptions o;
  o.context = ctx.string();
  o.builder = builder;
  return make_report(o, options);
}

inline std::vector<Finding> with_code(const Report& r, const std::string& code) {
  std::vector<Finding> out;
  for (const Finding& f : r.findings) {
    if (f.code == code) out.push_back(f);
  }
  return out;
}

// The line of the rule a finding cites (0 for none, or a client's rule).
inline size_t line_of(const Finding& f) { return f.rule ? f.rule->line : 0; }
// The rule a finding cites as report prints it ("" for none).
inline std::string rule_of(const Finding& f) { return f.rule ? rule_reference(*f.rule) : ""; }

// The finding with `code` about `path` (or, for rule findings, on `line`), if any.
inline const Finding* find_finding(const Report& r, const std::string& code, const std::string& path, size_t line = 0) {
  for (const Finding& f : r.findings) {
    if (f.code == code && (path.empty() || f.path == path) && (line == 0 || line_of(f) == line)) return &f;
  }
  return nullptr;
}

struct RunResult {
  int status = -1;
  std::string out, err;
  long max_rss_kib = 0;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs `argv` (argv[0] a path) with extra environment variables (a value
// of "\x01" removes one), stdout and stderr captured through files in
// `scratch`, optionally in directory `cwd`.
inline RunResult run_program(const Scratch& scratch, std::vector<std::string> argv,
                             const std::map<std::string, std::string>& env = {}, const std::string& cwd = "") {
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    std::string key = kv.substr(0, kv.find('='));
    if (!env.count(key)) envs.push_back(kv);
  }
  for (const auto& [k, v] : env) {
    if (v != "\x01") envs.push_back(k + "=" + v);
  }
  const fs::path out = scratch.root / ".stdout", err = scratch.root / ".stderr";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  std::vector<char*> args, envp;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid;
  RunResult r;
  if (posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), envp.data()) != 0) {
    posix_spawn_file_actions_destroy(&fa);
    return r;
  }
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.max_rss_kib = ru.ru_maxrss;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

inline RunResult ctxpack(const Scratch& scratch, std::vector<std::string> args,
                         const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), CTXPACK_BINARY);
  return run_program(scratch, std::move(args), env);
}

// Root reads everything: unreadable-file cases run the binary as nobody.
inline std::vector<std::string> as_unprivileged(std::vector<std::string> args) {
  if (::geteuid() != 0) return args;
  std::vector<std::string> prefix = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  prefix.insert(prefix.end(), args.begin(), args.end());
  return prefix;
}

}  // namespace ctxpack::testing_support
