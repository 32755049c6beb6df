// Differential test of the ignore-file reader and the matcher against
// Docker's own Go code (tests/conformance/oracle), built here from Debian's
// packaged sources. Thousands of generated cases (case_generator.h) are
// judged by both; every disagreement is printed with a shrunken repro.
//
//   matcher_conformance --oracle-src DIR --work DIR [--cases N] [--seed S]
//
// Exit 0 when all cases agree, 1 on a mismatch or when Go or Docker's
// sources are missing (CI installs them, so that is a failure, not a skip).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "case_generator.h"
#include "ctxpack/support/error.h"
#include "ctxpack/rules/ignore_file.h"
#include "ctxpack/rules/matcher.h"
#include "ctxpack/support/utf8.h"

namespace ctxpack::conformance {
namespace {

constexpr const char* kGoSources[] = {
    "/usr/share/gocode/src/github.com/moby/patternmatcher/patternmatcher.go",
    "/usr/share/gocode/src/github.com/moby/buildkit/frontend/dockerfile/dockerignore/dockerignore.go",
};
constexpr const char* kPackages = "golang-go golang-github-moby-patternmatcher-dev golang-github-docker-docker-dev";

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "matcher_conformance: %s\n", message.c_str());
  std::printf("0 passed, 1 failed\n");
  std::exit(1);
}

// ---- processes ---------------------------------------------------------------

int run(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& cwd,
        const std::string& in, const std::string& out, const std::string& err = "") {
  pid_t pid = fork();
  if (pid < 0) die(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    for (const std::string& kv : env) putenv(const_cast<char*>(kv.c_str()));
    if (!in.empty()) {
      int fd = open(in.c_str(), O_RDONLY);
      if (fd < 0 || dup2(fd, 0) < 0) _exit(126);
    }
    if (!out.empty()) {
      int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0 || dup2(fd, 1) < 0) _exit(126);
    }
    if (!err.empty()) {
      int fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0 || dup2(fd, 2) < 0) _exit(126);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::string build_oracle(const std::string& src, const std::string& work) {
  if (!on_path("go")) die(std::string("go is not installed; install: apt-get install ") + kPackages);
  for (const char* f : kGoSources) {
    if (access(f, R_OK) != 0)
      die(std::string("Docker's Go sources are missing (") + f + "); install: apt-get install " + kPackages);
  }
  std::string binary = work + "/oracle";
  // GOPATH mode against Debian's packaged sources; nothing is fetched.
  std::vector<std::string> env = {"GO111MODULE=off", "GOPATH=" + work + "/gopath:/usr/share/gocode",
                                  "GOCACHE=" + work + "/gocache", "GOFLAGS=", "GOPROXY=off"};
  if (run({"go", "build", "-o", binary, "."}, env, src, "", "") != 0)
    die("building the Go oracle in " + src + " failed");
  return binary;
}

// ---- encoding ----------------------------------------------------------------

std::string to_hex(std::string_view s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out.empty() ? "-" : out;  // a field of its own even when empty
}

std::string from_hex(std::string_view s) {
  if (s == "-") return "";
  auto v = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (size_t i = 0; i + 1 < s.size(); i += 2) out += static_cast<char>(v(s[i]) * 16 + v(s[i + 1]));
  return out;
}

// A string for a human: printable UTF-8 as is, everything else escaped,
// long runs elided.
std::string show(std::string_view s) {
  constexpr size_t kMax = 400;
  if (s.size() > kMax) {
    return show(s.substr(0, kMax / 2)) + " ... (" + std::to_string(s.size()) + " bytes) ... " +
           show(s.substr(s.size() - kMax / 2));
  }
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    auto [r, n] = decode_rune(s.substr(i));
    unsigned char c = static_cast<unsigned char>(s[i]);
    char buf[8];
    if (r == kRuneError && n == 1) {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f || r == 0xFEFF || r == 0x85 || r == 0xA0 || r == 0x2028 || r == 0x3000) {
      std::snprintf(buf, sizeof buf, r < 0x100 ? "\\x%02x" : "\\u%04x", static_cast<unsigned>(r));
      out += buf;
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out + "\"";
}

// ---- both sides' answers -------------------------------------------------------

struct Answer {
  std::string read;                                  // "ok p1 p2 ..." (hex), "err", or "-" for a raw case
  std::string create;                                // "ok", "err", or "" when reading failed
  std::vector<std::array<std::string, 3>> verdicts;  // mopm, walk, matches
};

void write_case(std::ostream& out, const Case& c) {
  if (c.raw) {
    out << "L";
    for (const std::string& p : c.patterns) out << " " << to_hex(p);
    out << "\n";
  } else {
    out << "F " << to_hex(c.content) << "\n";
  }
  for (const std::string& p : c.paths) out << "T " << to_hex(p) << "\n";
  out << "E\n";
}

std::vector<Answer> ask_oracle(const std::string& oracle, const std::string& work, const std::vector<Case>& cases) {
  std::string in = work + "/cases.txt", out = work + "/answers.txt";
  {
    std::ofstream f(in, std::ios::binary);
    for (const Case& c : cases) write_case(f, c);
    if (!f) die("cannot write " + in);
  }
  // Go's text/scanner chatters on stderr about NUL and invalid UTF-8 in
  // patterns; that goes to a file of its own.
  if (run({oracle}, {}, "", in, out, work + "/oracle.stderr") != 0) {
    die("the Go oracle failed on " + in + " (see " + work + "/oracle.stderr)");
  }
  std::ifstream f(out, std::ios::binary);
  std::vector<Answer> answers(1);
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream fields(line);
    std::string tag;
    fields >> tag;
    Answer& a = answers.back();
    if (tag == "R") {
      std::string status, p;
      fields >> status;
      a.read = status;
      // The message of an error is Docker's wording, not compared.
      while (status == "ok" && fields >> p) a.read += " " + p;
    } else if (tag == "N") {
      fields >> a.create;
    } else if (tag == "V") {
      std::array<std::string, 3> v;
      fields >> v[0] >> v[1] >> v[2];
      a.verdicts.push_back(v);
    } else if (tag == "E") {
      answers.emplace_back();
    }
  }
  answers.pop_back();
  if (answers.size() != cases.size())
    die("the Go oracle answered " + std::to_string(answers.size()) + " of " + std::to_string(cases.size()) + " cases");
  return answers;
}

std::string outcome(const std::function<Verdict()>& f) {
  try {
    return f().excluded ? "match" : "nomatch";
  } catch (const PatternError&) {
    return "error";
  }
}

bool walkable(std::string_view p) {
  if (p.empty() || p[0] == '/' || p.back() == '/') return false;
  size_t start = 0;
  while (true) {
    size_t slash = p.find('/', start);
    std::string_view part = p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

std::string walk(const Matcher& m, std::string_view path) {
  if (!walkable(path)) return "-";
  return outcome([&] {
    Matcher::Trail trails[2];
    const Matcher::Trail* parent = nullptr;
    Verdict v;
    for (size_t end = 0, k = 0;; ++k) {
      end = path.find('/', end + (k ? 1 : 0));
      Matcher::Trail* out = &trails[k % 2];
      v = m.matches_with_parent(path.substr(0, end), parent, out);
      parent = out;
      if (end == std::string_view::npos) return v;
    }
  });
}

Answer ours(const Case& c) {
  Answer a;
  std::vector<Rule> rules;
  if (c.raw) {
    a.read = "-";
    for (size_t i = 0; i < c.patterns.size(); ++i) rules.push_back(Rule{c.patterns[i], "raw", i + 1, c.patterns[i]});
  } else {
    try {
      rules = parse_ignore_file(c.content, ".dockerignore").rules;
      a.read = "ok";
      for (const Rule& r : rules) a.read += " " + to_hex(r.pattern);
    } catch (const Error&) {
      a.read = "err";
      return a;
    }
  }
  std::unique_ptr<Matcher> m;
  try {
    m = std::make_unique<Matcher>(rules);
    a.create = "ok";
  } catch (const Error&) {
    a.create = "err";
    return a;
  }
  for (const std::string& p : c.paths) {
    a.verdicts.push_back({outcome([&] { return m->matches_or_parents(p); }), walk(*m, p),
                          outcome([&] { return m->matches_one_parent(p); })});
  }
  return a;
}

// ---- comparing -----------------------------------------------------------------

struct Mismatch {
  std::string what;  // "ReadAll", "New", or a function name
  int path = -1;
  std::string docker, ctxpack;
};

constexpr const char* kFunctions[] = {"MatchesOrParentMatches", "MatchesUsingParentResults (walk)", "Matches"};

std::string patterns_of(const std::string& read) {
  std::istringstream in(read);
  std::string word, out;
  in >> word;
  if (word != "ok") return word;
  while (in >> word) out += (out.empty() ? "" : ", ") + show(from_hex(word));
  return "[" + out + "]";
}

std::vector<Mismatch> compare(const Answer& docker, const Answer& mine) {
  std::vector<Mismatch> out;
  if (docker.read != mine.read) return {{"ReadAll", -1, patterns_of(docker.read), patterns_of(mine.read)}};
  if (docker.create != mine.create) return {{"New", -1, docker.create, mine.create}};
  for (size_t i = 0; i < docker.verdicts.size() && i < mine.verdicts.size(); ++i) {
    for (size_t f = 0; f < 3; ++f) {
      if (docker.verdicts[i][f] != mine.verdicts[i][f]) {
        out.push_back({kFunctions[f], static_cast<int>(i), docker.verdicts[i][f], mine.verdicts[i][f]});
      }
    }
  }
  return out;
}

// Lines of an ignore file, each with its line ending.
std::vector<std::string> lines_of(const std::string& content) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    size_t end = nl == std::string::npos ? content.size() : nl + 1;
    lines.push_back(content.substr(pos, end - pos));
    pos = end;
  }
  return lines;
}

bool same_failure(const Mismatch& a, const std::vector<Mismatch>& found) {
  for (const Mismatch& m : found) {
    if (m.what == a.what && m.docker == a.docker && m.ctxpack == a.ctxpack) return true;
  }
  return false;
}

// Drops lines (or patterns) one at a time while the same disagreement
// remains, asking the oracle about all candidates of a round at once.
Case shrink(const std::string& oracle, const std::string& work, Case c, const Mismatch& m) {
  if (m.path >= 0) c.paths = {c.paths[static_cast<size_t>(m.path)]};
  while (true) {
    std::vector<Case> candidates;
    if (c.raw) {
      for (size_t i = 0; i < c.patterns.size(); ++i) {
        Case d = c;
        d.patterns.erase(d.patterns.begin() + static_cast<long>(i));
        candidates.push_back(std::move(d));
      }
    } else {
      std::vector<std::string> lines = lines_of(c.content);
      for (size_t i = 0; i < lines.size(); ++i) {
        Case d = c;
        d.content.clear();
        for (size_t k = 0; k < lines.size(); ++k)
          if (k != i) d.content += lines[k];
        candidates.push_back(std::move(d));
      }
    }
    if (candidates.empty()) return c;
    std::vector<Answer> answers = ask_oracle(oracle, work, candidates);
    bool reduced = false;
    for (size_t i = 0; i < candidates.size() && !reduced; ++i) {
      if (same_failure(m, compare(answers[i], ours(candidates[i])))) {
        c = candidates[i];
        reduced = true;
      }
    }
    if (!reduced) return c;
  }
}

void report(size_t index, const Case& c, const Mismatch& m) {
  std::printf("MISMATCH case %zu: %s: Docker %s, ctxpack %s\n", index, m.what.c_str(), m.docker.c_str(),
              m.ctxpack.c_str());
  if (c.raw) {
    std::printf("  patterns (to New):");
    for (const std::string& p : c.patterns) std::printf(" %s", show(p).c_str());
    std::printf("\n");
  } else {
    std::printf("  .dockerignore: %s\n", show(c.content).c_str());
  }
  if (m.path >= 0) std::printf("  path: %s\n", show(c.paths[static_cast<size_t>(m.path)]).c_str());
}

struct Options {
  std::string oracle_src, work;
  size_t cases = 6000;
  uint64_t seed = 1;
  size_t shrink_limit = 20;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--oracle-src")
      o.oracle_src = value();
    else if (a == "--work")
      o.work = value();
    else if (a == "--cases")
      o.cases = std::stoul(value());
    else if (a == "--seed")
      o.seed = std::stoull(value());
    else
      die("unknown argument " + a);
  }
  if (o.oracle_src.empty() || o.work.empty())
    die("usage: matcher_conformance --oracle-src DIR --work DIR [--cases N] [--seed S]");
  return o;
}

int main_impl(int argc, char** argv) {
  Options o = parse(argc, argv);
  mkdir(o.work.c_str(), 0755);
  std::string oracle = build_oracle(o.oracle_src, o.work);

  std::vector<Case> cases;
  for (size_t i = 0; i < o.cases; ++i) cases.push_back(generate_case(o.seed, i));
  std::vector<Answer> answers = ask_oracle(oracle, o.work, cases);

  size_t passed = 0, failed = 0, paths = 0, verdicts_compared = 0, shrunk = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    Answer mine = ours(cases[i]);
    paths += answers[i].verdicts.size();
    for (const auto& v : answers[i].verdicts) verdicts_compared += v[1] == "-" ? 2 : 3;
    std::vector<Mismatch> found = compare(answers[i], mine);
    if (found.empty()) {
      ++passed;
      continue;
    }
    ++failed;
    // The first disagreement of a case, shrunk while the budget lasts.
    const Mismatch& m = found[0];
    if (shrunk < o.shrink_limit) {
      ++shrunk;
      report(i, shrink(oracle, o.work, cases[i], m), m.path < 0 ? m : Mismatch{m.what, 0, m.docker, m.ctxpack});
    } else {
      report(i, cases[i], m);
    }
    if (found.size() > 1) std::printf("  (and %zu more disagreements in this case)\n", found.size() - 1);
  }
  std::printf("seed %llu: %zu cases, %zu paths, %zu verdicts compared with Docker's code\n",
              static_cast<unsigned long long>(o.seed), cases.size(), paths, verdicts_compared);
  std::printf("%zu passed, %zu failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace ctxpack::conformance

int main(int argc, char** argv) { return ctxpack::conformance::main_impl(argc, argv); }
