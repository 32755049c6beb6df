// Micro-benchmarks of the matcher (Google Benchmark, Debian libbenchmark-dev).
//
//   matcher_bench [--benchmark_filter=REGEX] [google benchmark flags]
//
// By default the rules and paths are synthetic but shaped like a real
// monorepo's (literal names, **/name, *.ext, dir/**, exceptions). Set
// CTXPACK_BENCH_RULES to an ignore file and CTXPACK_BENCH_PATHS to a file
// of paths (one per line; bench/gen_context.py paths writes one) to measure
// those instead.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ctxpack/rules/ignore_file.h"
#include "ctxpack/rules/matcher.h"
#include "ctxpack/rules/regex.h"

namespace {

using ctxpack::Matcher;

std::string slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `n` rules, cycling through the forms real ignore files use.
std::string synthetic_rules(size_t n) {
  static const char* forms[] = {".git",
                                "**/node_modules/.cache",
                                "**/*.log",
                                "!services/*/logs/audit.log",
                                "dist/**",
                                "**/__pycache__",
                                "*.md",
                                "!README.md",
                                "docs",
                                "!docs/README.md",
                                "**/.env.*",
                                "!**/.env.example",
                                "assets/**/*.psd",
                                "**/*.tmp",
                                "Dockerfile*",
                                "**/coverage",
                                ".idea",
                                "packages/*/dist",
                                "**/*~",
                                "**/.DS_Store"};
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    std::string rule = forms[i % (sizeof forms / sizeof *forms)];
    if (i >= sizeof forms / sizeof *forms) rule += std::to_string(i);  // keep rules distinct
    out += rule + "\n";
  }
  return out;
}

std::vector<std::string> synthetic_paths() {
  static const char* dirs[] = {"src",
                               "packages/app/src",
                               "node_modules/lodash",
                               "node_modules/@babel/core/lib",
                               "services/api/logs",
                               "docs/guides",
                               "assets/brand",
                               ".git/objects/ab",
                               "packages/web/dist",
                               "tests/__pycache__"};
  static const char* files[] = {"index.js", "README.md",  "app.log",      "audit.log", "logo.psd",
                                "x.pyc",    ".env.local", ".env.example", "module.ts", "data.json"};
  std::vector<std::string> out;
  for (size_t i = 0; i < 10000; ++i) {
    std::string p = dirs[i % 10];
    if (i % 3 == 0) p += "/nested" + std::to_string(i % 7);
    p += "/";
    p += files[(i * 7) % 10];
    out.push_back(p);
  }
  return out;
}

const std::string& rules_text() {
  static const std::string text = [] {
    const char* f = std::getenv("CTXPACK_BENCH_RULES");
    return f ? slurp(f) : synthetic_rules(40);
  }();
  return text;
}

const std::vector<std::string>& paths() {
  static const std::vector<std::string> list = [] {
    const char* f = std::getenv("CTXPACK_BENCH_PATHS");
    if (!f) return synthetic_paths();
    std::vector<std::string> out;
    std::ifstream in(f);
    std::string line;
    while (std::getline(in, line) && out.size() < 1000000) out.push_back(line);
    return out;
  }();
  return list;
}

Matcher matcher(const std::string& text) { return Matcher(ctxpack::parse_ignore_file(text, ".dockerignore").rules); }

// What `why --ignore-file` does per path: MatchesOrParentMatches.
void BM_MatchesOrParents(benchmark::State& state) {
  Matcher m = matcher(rules_text());
  const auto& p = paths();
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& path = p[i++ % p.size()];
    benchmark::DoNotOptimize(m.matches_or_parents(path));
    bytes += path.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_MatchesOrParents);

// The same question asked pattern by pattern, as Docker's code does it:
// what the single automaton saves.
void BM_MatchesOrParentsPatternByPattern(benchmark::State& state) {
  Matcher m = matcher(rules_text());
  const auto& p = paths();
  size_t i = 0;
  for (auto _ : state) {
    const std::string& path = p[i++ % p.size()];
    bool excluded = false;
    for (size_t k = 0; k < m.size(); ++k) {
      if (m.is_exception(k) != excluded) continue;
      if (m.pattern(k).match(path) == 1 || m.pattern(k).matches_a_parent(path)) excluded = !m.is_exception(k);
    }
    benchmark::DoNotOptimize(excluded);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_MatchesOrParentsPatternByPattern);

// A walk: each path judged with its directory's results.
void BM_MatchesWithParent(benchmark::State& state) {
  Matcher m = matcher(rules_text());
  const auto& p = paths();
  size_t i = 0;
  Matcher::Trail dir, entry;
  for (auto _ : state) {
    const std::string& path = p[i++ % p.size()];
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) {
      benchmark::DoNotOptimize(m.matches_with_parent(path, nullptr, &entry));
    } else {
      m.matches_or_parents(std::string_view(path).substr(0, slash));
      m.matches_with_parent(std::string_view(path).substr(0, slash), nullptr, &dir);
      benchmark::DoNotOptimize(m.matches_with_parent(path, &dir, &entry));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_MatchesWithParent);

// How the automaton scales with the number of rules.
void BM_ManyRules(benchmark::State& state) {
  Matcher m = matcher(synthetic_rules(static_cast<size_t>(state.range(0))));
  const auto& p = synthetic_paths();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(m.matches_or_parents(p[i++ % p.size()]));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["dfa_states"] = static_cast<double>(m.dfa_states());
}
BENCHMARK(BM_ManyRules)->Arg(10)->Arg(40)->Arg(400)->Arg(4000)->Arg(10000);

void BM_Compile(benchmark::State& state) {
  std::string text = synthetic_rules(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(matcher(text));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * state.range(0)));
}
BENCHMARK(BM_Compile)->Arg(40)->Arg(10000);

// One Docker-translated pattern, alone.
void BM_SingleRegex(benchmark::State& state) {
  std::string error;
  auto re = ctxpack::Regex::compile("^(.*/)?node_modules/(.*/)?[^/]*\\.md$", &error);
  const auto& p = paths();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(re->search(p[i++ % p.size()]));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_SingleRegex);

}  // namespace

BENCHMARK_MAIN();
