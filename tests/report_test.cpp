// `ctxpack report`: the numbers (against what the test wrote and against
// ctxpack's own tar), the savings (applied and measured again), the gates'
// exit codes, and the three output formats.
#include "ctxpack/report/report.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "report/report_fixtures.h"

namespace ctxpack {
namespace {

using namespace testing_support;
using nlohmann::json;

// A context with one of each kind of entry and two excluded files.
struct Sample {
  Scratch s;
  Sample() {
    s.write("Dockerfile", "FROM scratch\nCOPY . /\n");
    s.write(".dockerignore", "x\n*.tmp\n");
    s.write_size("a.bin", 100);
    s.write_size("d/b.txt", 2000);
    s.write_size("d/e/c.txt", 30000);
    fs::create_hard_link(s.ctx / "a.bin", s.ctx / "d/h.bin");
    fs::create_symlink("a.bin", s.ctx / "l");
    EXPECT_EQ(::mkfifo((s.ctx / "p").c_str(), 0644), 0);
    s.write_size("x/big", 5000);
    s.write_size("t.tmp", 7);
  }
  uint64_t build_files_bytes() const {
    return fs::file_size(s.ctx / "Dockerfile") + fs::file_size(s.ctx / ".dockerignore");
  }
};

TEST(Report, Totals) {
  Sample sample;
  for (const Builder* b : {&buildkit_builder(), &legacy_builder()}) {
    Report r = report_of(sample.s.ctx, b);
    EXPECT_EQ(r.files, 6u) << "Dockerfile, .dockerignore, a.bin, d/b.txt, d/e/c.txt and the hardlink d/h.bin";
    EXPECT_EQ(r.bytes, sample.build_files_bytes() + 100 + 2000 + 30000) << "the hardlinked inode once";
    EXPECT_EQ(r.dirs, 2u);
    EXPECT_EQ(r.symlinks, 1u);
    EXPECT_EQ(r.others, 1u);
    EXPECT_EQ(r.excluded_files, 2u);
    EXPECT_EQ(r.excluded_bytes, 5007u);
  }
}

TEST(Report, WhereTheWeightIs) {
  Sample sample;
  ReportOptions o;
  o.top = 2;
  o.depth = 1;
  Report r = report_of(sample.s.ctx, &buildkit_builder(), o);
  ASSERT_EQ(r.largest_files.size(), 2u);
  EXPECT_EQ(r.largest_files[0].path, "d/e/c.txt");
  EXPECT_EQ(r.largest_files[0].bytes, 30000u);
  EXPECT_EQ(r.largest_files[1].path, "d/b.txt");
  ASSERT_EQ(r.largest_dirs.size(), 2u);
  EXPECT_EQ(r.largest_dirs[0].path, "d/");
  EXPECT_EQ(r.largest_dirs[0].bytes, 32000u) << "recursive; the second link of a.bin adds no content";
  EXPECT_EQ(r.largest_dirs[0].files, 3u);
  EXPECT_EQ(r.largest_dirs[1].path, "d/e/");
  EXPECT_EQ(r.largest_dirs[1].bytes, 30000u);

  EXPECT_EQ(r.tree.path, ".");
  EXPECT_EQ(r.tree.bytes, r.bytes);
  EXPECT_EQ(r.tree.files, r.files);
  ASSERT_EQ(r.tree.children.size(), 1u) << "x/ sends nothing";
  EXPECT_EQ(r.tree.children[0].path, "d/");
  EXPECT_TRUE(r.tree.children[0].children.empty()) << "depth 1";
  o.depth = 2;
  EXPECT_EQ(report_of(sample.s.ctx, &buildkit_builder(), o).tree.children[0].children.at(0).path, "d/e/");
  o.depth = 0;
  EXPECT_TRUE(report_of(sample.s.ctx, &buildkit_builder(), o).tree.children.empty());

  std::map<std::string, std::pair<uint64_t, uint64_t>> ext;
  for (const ExtensionTotal& e : r.extensions) ext[e.extension] = {e.files, e.bytes};
  EXPECT_EQ(ext[".txt"], std::make_pair(uint64_t{2}, uint64_t{32000}));
  EXPECT_EQ(ext[".bin"], std::make_pair(uint64_t{2}, uint64_t{100}));
  EXPECT_EQ(ext[""], std::make_pair(uint64_t{2}, sample.build_files_bytes()));
  EXPECT_EQ(r.extensions.front().extension, ".txt") << "heaviest first";
}

TEST(Report, DuTreeKeepsTheHeaviestChildren) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\n");
  for (int i = 1; i <= 5; ++i) s.write_size("d" + std::to_string(i) + "/f", 1000 * i);
  ReportOptions o;
  o.top = 3;
  Report r = report_of(s.ctx, &buildkit_builder(), o);
  ASSERT_EQ(r.tree.children.size(), 3u);
  EXPECT_EQ(r.tree.children[0].path, "d5/");
  EXPECT_EQ(r.tree.children[2].path, "d3/");
  EXPECT_EQ(r.tree.more, 2u);
  EXPECT_EQ(r.tree.more_bytes, 3000u);
}

// Every suggested line, added to the ignore file, saves exactly what the
// report says it saves.
TEST(Report, SuggestionsSaveWhatTheySay) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\nCOPY . /\n");
  s.write(".dockerignore", "# nothing yet\n");
  s.write_size("node_modules/left-pad/index.js", 1000);
  s.write_size("node_modules/left-pad/node_modules/x/y.js", 10);
  s.write_size("pkg/node_modules/b.js", 500);
  s.write_size("node_modules/shared.js", 200);
  fs::create_directories(s.ctx / "src");
  fs::create_hard_link(s.ctx / "node_modules/shared.js", s.ctx / "src/shared.js");
  s.write_size(".git/objects/pack/p.pack", 4000);
  s.write_size("server.log", 50);
  s.write_size("logs/app.log", 300);
  s.write_size("dist/bundle.js", 700);
  s.write_size("src/main.js", 10);
  Report before = report_of(s.ctx);

  std::map<std::string, const Suggestion*> by_rule;
  for (const Suggestion& sg : before.suggestions) by_rule[sg.rule] = &sg;
  ASSERT_TRUE(by_rule.count("**/node_modules"));
  ASSERT_TRUE(by_rule.count(".git"));
  ASSERT_TRUE(by_rule.count("**/*.log"));
  ASSERT_TRUE(by_rule.count("dist"));
  EXPECT_EQ(by_rule["**/node_modules"]->files, 4u);
  EXPECT_EQ(by_rule["**/node_modules"]->bytes, 1510u) << "shared.js stays in the tar through src/shared.js";
  EXPECT_EQ(by_rule[".git"]->bytes, 4000u);
  EXPECT_EQ(by_rule["**/*.log"]->files, 2u);
  EXPECT_EQ(before.suggestions.front().rule, ".git") << "heaviest first";

  const std::string original = slurp(s.ctx / ".dockerignore");
  for (const Suggestion& sg : before.suggestions) {
    const std::string line = sg.rule + "\n";
    s.write(".dockerignore", original + line);
    Report after = report_of(s.ctx);
    // The .dockerignore, sent too, grows by the line.
    EXPECT_EQ(before.bytes + line.size() - after.bytes, sg.bytes) << sg.rule;
    EXPECT_EQ(before.files - after.files, sg.files) << sg.rule;
    for (const Suggestion& left : after.suggestions) EXPECT_NE(left.rule, sg.rule);
  }
}

// A name that usually means waste is not waste when the project commits
// it: minio's internal/config/lambda/target/ is a Go package, not build
// output. Only what a fresh clone lacks is proposed.
TEST(Report, CommittedFilesAreNotProposedAsWaste) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\nCOPY app /app\n");
  s.write(".dockerignore", "# nothing yet\n");
  s.write("app/main.go", "package main\n");
  s.write_size("config/target/target.go", 3000);
  s.write_size("testdata/fixture.tgz", 2000);
  ASSERT_EQ(std::system(("cd " + s.ctx.string() + " && git init -q && git add -A && " +
                         "git -c user.email=a@b -c user.name=a commit -qm c")
                            .c_str()),
            0);
  s.write_size("web/dist/bundle.js", 5000);  // untracked build output
  Report r = report_of(s.ctx);
  std::set<std::string> rules;
  for (const Suggestion& sg : r.suggestions) rules.insert(sg.rule);
  EXPECT_TRUE(rules.count("**/dist")) << "untracked output is proposed";
  EXPECT_FALSE(rules.count("**/target")) << "a committed source directory is not build output";
  EXPECT_FALSE(rules.count("**/*.tgz")) << "committed test data is there on purpose";
  EXPECT_TRUE(rules.count(".git")) << "git's own metadata is never committed";
  // Without git nothing says what was committed: names decide.
  fs::remove_all(s.ctx / ".git");
  Report plain = report_of(s.ctx);
  rules.clear();
  for (const Suggestion& sg : plain.suggestions) rules.insert(sg.rule);
  EXPECT_TRUE(rules.count("**/target"));
}

// argo-cd copies the whole context and runs make, whose version stamp
// calls git: dropping .git would still build, but a different binary.
TEST(Report, GitDirReadByARunIsOnlyAnInfo) {
  Scratch s;
  s.write(".git/HEAD", "ref: refs/heads/main\n");
  s.write_size(".git/objects/pack/p.pack", 4000);
  s.write("Makefile", "all:\n\tgit rev-parse HEAD\n");
  s.write("Dockerfile", "FROM golang AS build\nCOPY . /src\nRUN make\nFROM scratch\nCOPY --from=build /src/app /\n");
  Report r = report_of(s.ctx);
  const Finding* git = find_finding(r, "git-dir", ".git/");
  ASSERT_NE(git, nullptr);
  EXPECT_EQ(git->severity, Severity::kInfo);
  EXPECT_NE(git->message.find("after line 2"), std::string::npos) << git->message;
  for (const Suggestion& sg : r.suggestions) EXPECT_NE(sg.rule, ".git");

  // Copied into an image with nothing run after it: the history ships.
  s.write("Dockerfile", "FROM scratch\nCOPY . /src\n");
  Report shipped = report_of(s.ctx);
  git = find_finding(shipped, "git-dir", ".git/");
  ASSERT_NE(git, nullptr);
  EXPECT_EQ(git->severity, Severity::kWarning);
  bool suggested = false;
  for (const Suggestion& sg : shipped.suggestions) suggested = suggested || sg.rule == ".git";
  EXPECT_TRUE(suggested);
}

TEST(Report, HardlinkCountedOnceWhereTheTarHoldsIt) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\n");
  s.write_size("z/orig", 4096);
  fs::create_directories(s.ctx / "a");
  fs::create_hard_link(s.ctx / "z/orig", s.ctx / "a/link");
  Report r = report_of(s.ctx);
  ASSERT_FALSE(r.largest_dirs.empty());
  // a/link comes first in the walk, so the tar holds the content there.
  EXPECT_EQ(r.largest_dirs[0].path, "a/");
  EXPECT_EQ(r.largest_dirs[0].bytes, 4096u);
  EXPECT_EQ(r.largest_files.at(0).path, "a/link");
  EXPECT_EQ(r.largest_files.size(), 2u) << "a/link and the Dockerfile; z/orig is a link entry";
}

// tar_bytes is the size of the tar `ctxpack pack` writes, header for header.
TEST(Report, TarBytesIsTheSizeOfPacksTar) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\nCOPY . /\n");
  s.write(".dockerignore", "docs\n!docs/keep/**\nbuild\n!**/*.keep\n");
  s.write_size("docs/keep/readme.md", 1234);
  s.write_size("docs/drop.md", 99);
  s.write_size("build/out/x.keep", 10);
  s.write_size(std::string(120, 'n') + "/" + std::string(90, 'm'), 513);
  s.write_size("caf\xc3\xa9.txt", 0);
  fs::create_symlink(std::string(150, 't'), s.ctx / "long-target");
  fs::create_hard_link(s.ctx / "docs/keep/readme.md", s.ctx / "hard");
  ASSERT_EQ(::mkfifo((s.ctx / "fifo").c_str(), 0600), 0);
  for (const char* builder : {"buildkit", "legacy"}) {
    RunResult rep = ctxpack(s, {"report", "--json", "--builder", builder, s.ctx.string()});
    ASSERT_EQ(rep.status, 0) << rep.err;
    const fs::path tar = s.root / (std::string(builder) + ".tar");
    RunResult pack = ctxpack(s, {"pack", "-q", "--builder", builder, "-o", tar.string(), s.ctx.string()});
    ASSERT_EQ(pack.status, 0) << pack.err;
    EXPECT_EQ(json::parse(rep.out)["tar_bytes"].get<uint64_t>(), fs::file_size(tar)) << builder;
  }
}

// The peak RSS of `ctxpack args...`, read from /proc while it is blocked
// writing its output into a one-page pipe: by then all the work is done.
// (wait4's ru_maxrss would not do: a spawned child inherits the peak of the
// process it was spawned from, here this test binary.)
long peak_rss_kib(std::vector<std::string> args) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
  ::fcntl(fds[0], F_SETPIPE_SZ, 4096);
  // In a sanitizer build, AddressSanitizer's quarantine of freed memory
  // would grow with every allocation; without it RSS tells what is kept.
  const char* asan = std::getenv("ASAN_OPTIONS");
  std::string asan_env =
      "ASAN_OPTIONS=" + std::string(asan ? asan : "") + ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0";
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) {
    if (std::string_view(*e).rfind("ASAN_OPTIONS=", 0) != 0) envp.push_back(*e);
  }
  envp.push_back(asan_env.data());
  envp.push_back(nullptr);
  args.insert(args.begin(), CTXPACK_BINARY);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int err = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (err != 0) return -1;
  pollfd pfd{fds[0], POLLIN, 0};
  long hwm = -1;
  if (::poll(&pfd, 1, 120000) == 1) {
    std::istringstream status(slurp("/proc/" + std::to_string(pid) + "/status"));
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("VmHWM:", 0) == 0) hwm = std::stol(line.substr(6));
    }
  }
  char buf[4096];
  while (::read(fds[0], buf, sizeof buf) > 0) {
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return hwm;
}

TEST(Report, MemoryFollowsDirectoriesNotFiles) {
  // The same 50 directories with 10 and with 300 files each.
  auto peak = [](int per_dir) {
    Scratch s;
    s.write("Dockerfile", "FROM scratch\n");
    for (int d = 0; d < 50; ++d) {
      fs::path dir = s.ctx / ("dir" + std::to_string(d));
      fs::create_directories(dir);
      for (int f = 0; f < per_dir; ++f) {
        int fd = ::open((dir / ("file-" + std::to_string(f) + ".txt")).c_str(), O_WRONLY | O_CREAT, 0644);
        EXPECT_GE(fd, 0);
        ::close(fd);
      }
    }
    // --top 50 makes the output larger than the pipe.
    long kib = peak_rss_kib({"report", "--json", "--top", "50", s.ctx.string()});
    EXPECT_GT(kib, 0) << "ctxpack finished before its peak could be read";
    return kib;
  };
  long small = peak(10), large = peak(300);
  // Even 70 bytes per file would show.
  EXPECT_LT(large - small, 1024) << "KiB for 14,500 more files (" << small << " KiB with 500)";
}

// --- gates and errors --------------------------------------------------------------

TEST(ReportGates, ExitCodesAndTheLineSayingWhy) {
  Sample sample;
  const std::string ctx = sample.s.ctx.string();
  Report r = report_of(sample.s.ctx);
  const std::string tar = std::to_string(r.tar_bytes);

  RunResult at = ctxpack(sample.s, {"report", "--max-size", tar, ctx});
  EXPECT_EQ(at.status, 0) << at.err;
  RunResult over = ctxpack(sample.s, {"report", "--max-size", std::to_string(r.tar_bytes - 1), ctx});
  EXPECT_EQ(over.status, 1);
  EXPECT_NE(over.err.find("over --max-size"), std::string::npos) << over.err;
  EXPECT_NE(over.err.find("by 1B (1 bytes)"), std::string::npos) << over.err;
  EXPECT_FALSE(over.out.empty()) << "the report is still printed";
  EXPECT_EQ(ctxpack(sample.s, {"report", "--max-size", "1.5GiB", ctx}).status, 0);
  EXPECT_EQ(ctxpack(sample.s, {"report", "--max-size", "1B", ctx}).status, 1);
  EXPECT_EQ(ctxpack(sample.s, {"report", "--max-size", "500MB", ctx}).status, 0);

  EXPECT_EQ(ctxpack(sample.s, {"report", "--max-files", std::to_string(r.files), ctx}).status, 0);
  RunResult files = ctxpack(sample.s, {"report", "--max-files", std::to_string(r.files - 2), ctx});
  EXPECT_EQ(files.status, 1);
  EXPECT_NE(files.err.find("over --max-files " + std::to_string(r.files - 2) + " by 2"), std::string::npos)
      << files.err;

  // The sample has warnings (a FIFO is sent) but no error.
  ASSERT_FALSE(with_code(r, "special-file").empty());
  for (const Finding& f : r.findings) ASSERT_NE(f.severity, Severity::kError) << f.message;
  EXPECT_EQ(ctxpack(sample.s, {"report", "--fail-on", "error", ctx}).status, 0);
  RunResult warn = ctxpack(sample.s, {"report", "--fail-on", "warning", ctx});
  EXPECT_EQ(warn.status, 1);
  EXPECT_NE(warn.err.find("at or above --fail-on warning"), std::string::npos) << warn.err;

  RunResult both = ctxpack(sample.s, {"report", "--fail-on", "warning", "--max-files", "1", "--json", ctx});
  EXPECT_EQ(both.status, 1);
  EXPECT_EQ(json::parse(both.out)["gate_failures"].size(), 2u);
}

TEST(ReportGates, UsageAndRuntimeErrorsExit2) {
  Sample sample;
  const std::string ctx = sample.s.ctx.string();
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"report", "--max-size", "12XB", ctx},
           {"report", "--max-files", "many", ctx},
           {"report", "--fail-on", "sometimes", ctx},
           {"report", "--format", "xml", ctx},
           {"report", "--json", "--format", "github", ctx},
           {"report", (sample.s.root / "missing").string()},
           {"report", (sample.s.ctx / "a.bin").string()},
       }) {
    RunResult r = ctxpack(sample.s, args);
    EXPECT_EQ(r.status, 2) << args[1] << " " << args[2];
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  sample.s.write(".dockerignore", "ok\n" + std::string(70000, 'a') + "\n");
  RunResult bad = ctxpack(sample.s, {"report", ctx});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find(".dockerignore"), std::string::npos) << bad.err;
}

// --- formats ------------------------------------------------------------------------

TEST(ReportFormat, JsonSchema) {
  Scratch s("rule-effect");
  s.write(
      "bad\xff"
      "name.txt",
      "abc");
  RunResult run = ctxpack(s, {"report", "--json", s.ctx.string()});
  ASSERT_EQ(run.status, 0) << run.err;
  json j = json::parse(run.out);  // valid UTF-8 even with that name
  Report r = report_of(s.ctx);
  for (const char* key : {"files", "dirs", "symlinks", "others", "bytes", "tar_bytes"}) {
    ASSERT_TRUE(j[key].is_number_unsigned()) << key;
  }
  EXPECT_EQ(j["files"], r.files);
  EXPECT_EQ(j["dirs"], r.dirs);
  EXPECT_EQ(j["bytes"], r.bytes);
  EXPECT_EQ(j["tar_bytes"], r.tar_bytes);
  EXPECT_EQ(j["excluded"]["files"], r.excluded_files);
  EXPECT_EQ(j["excluded"]["bytes"], r.excluded_bytes);
  ASSERT_EQ(j["largest_files"].size(), r.largest_files.size());
  for (const json& f : j["largest_files"]) {
    EXPECT_TRUE(f["path"].is_string());
    EXPECT_TRUE(f["bytes"].is_number_unsigned());
  }
  for (const json& d : j["largest_dirs"]) {
    EXPECT_TRUE(d["path"].is_string());
    EXPECT_TRUE(d["bytes"].is_number_unsigned());
    EXPECT_TRUE(d["files"].is_number_unsigned());
  }
  ASSERT_EQ(j["findings"].size(), r.findings.size());
  ASSERT_FALSE(r.findings.empty());
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const json& f = j["findings"][i];
    EXPECT_EQ(f["severity"], std::string(severity_name(r.findings[i].severity)));
    EXPECT_EQ(f["code"], r.findings[i].code);
    EXPECT_TRUE(f["message"].is_string());
    EXPECT_TRUE(f["path"].is_string() || f["path"].is_null());
    EXPECT_TRUE(f["rule"].is_string() || f["rule"].is_null());
  }
  bool replaced = false;
  for (const json& f : j["largest_files"]) replaced = replaced || f["path"] == "bad\xef\xbf\xbdname.txt";
  EXPECT_TRUE(replaced) << "a byte that is not UTF-8 reads as U+FFFD";
  EXPECT_TRUE(j["tree"]["children"].is_array());
  EXPECT_TRUE(j["suggestions"].is_array());
  EXPECT_EQ(j["rules"].size(), 6u);
}

TEST(ReportFormat, GithubAnnotationPerFinding) {
  Scratch s("rule-effect");
  s.write("a,b.env", "X=1\n");
  Report r = report_of(s.ctx);
  RunResult run = ctxpack(s, {"report", "--format", "github", s.ctx.string()});
  ASSERT_EQ(run.status, 0) << run.err;
  std::istringstream lines(run.out);
  std::vector<std::string> annotations;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("::", 0) == 0) annotations.push_back(line);
  }
  ASSERT_EQ(annotations.size(), r.findings.size());
  const std::string ignore = s.ctx.string() + "/.dockerignore";
  bool lint = false, hazard = false;
  for (const std::string& a : annotations) {
    lint = lint || a.rfind("::notice file=" + ignore + ",line=1,title=ctxpack unused-rule::", 0) == 0;
    hazard = hazard || a.rfind("::warning file=" + s.ctx.string() + "/a%2Cb.env,title=ctxpack secret-file::", 0) == 0;
    EXPECT_TRUE(std::regex_search(a, std::regex("^::(error|warning|notice) "))) << a;
  }
  EXPECT_TRUE(lint) << run.out;
  EXPECT_TRUE(hazard) << run.out;
}

TEST(ReportFormat, TextIsAlignedWithDockerUnits) {
  Sample sample;
  RunResult run = ctxpack(sample.s, {"report", sample.s.ctx.string()});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out.find('\033'), std::string::npos) << "no colour into a pipe";
  std::istringstream in(run.out);
  std::vector<std::string> section;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "Largest files") {
      inside = true;
    } else if (inside && line.empty()) {
      break;
    } else if (inside) {
      section.push_back(line);
    }
  }
  ASSERT_EQ(section.size(), 5u) << run.out;
  EXPECT_EQ(section[0], "  30kB  d/e/c.txt") << "Docker's decimal units, right-aligned";
  for (const std::string& line : section) EXPECT_EQ(line.find(' ', line.find_first_not_of(' ')), 6u) << line;
}

// Runs the binary on a pseudo-terminal and returns what it printed.
std::string on_terminal(const std::vector<std::string>& args, bool no_color) {
  int master;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    if (no_color) {
      ::setenv("NO_COLOR", "1", 1);
    } else {
      ::unsetenv("NO_COLOR");
    }
    std::vector<char*> argv;
    std::string bin = CTXPACK_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(master);
  ::waitpid(pid, nullptr, 0);
  return out;
}

TEST(ReportFormat, ColourOnlyOnATerminalWithoutNoColor) {
  Scratch s("rule-effect");
  EXPECT_NE(on_terminal({"report", s.ctx.string()}, false).find("\033["), std::string::npos);
  EXPECT_EQ(on_terminal({"report", s.ctx.string()}, true).find("\033["), std::string::npos);
}

}  // namespace
}  // namespace ctxpack
