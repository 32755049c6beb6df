// Advice that needs a whole COPY or a whole build: what a broad source
// sweeps in, and layer-cache order.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "ctxpack/output/format.h"
#include "ctxpack/support/path.h"
#include "ctxpack/report/secrets.h"
#include "planner.h"

namespace ctxpack::copy {

namespace {

bool glob(const char* pattern, std::string_view name) { return go_filepath_match(pattern, name) == 1; }

// Dependency installs and the manifests they read. Only steps that fetch
// dependencies: a compile step (cargo build, mvn package) needs the
// sources anyway.
struct Ecosystem {
  std::vector<const char*> commands;
  std::vector<const char*> manifests;  // Go filepath.Match patterns on a file's name
};
const std::vector<Ecosystem>& ecosystems() {
  static const std::vector<Ecosystem> list = {
      {{"npm ci", "npm install", "npm i ", "yarn install", "yarn --frozen-lockfile", "pnpm install", "pnpm i "},
       {"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
        "pnpm-workspace.yaml", ".npmrc", ".yarnrc*"}},
      {{"pip install", "pip3 install", "poetry install", "pipenv install", "uv sync", "uv pip install"},
       {"requirements*.txt", "pyproject.toml", "poetry.lock", "Pipfile", "Pipfile.lock", "setup.py", "setup.cfg",
        "uv.lock"}},
      {{"go mod download", "go mod vendor"}, {"go.mod", "go.sum", "go.work", "go.work.sum"}},
      {{"bundle install"}, {"Gemfile", "Gemfile.lock", "*.gemspec"}},
      {{"composer install"}, {"composer.json", "composer.lock"}},
      {{"cargo fetch"}, {"Cargo.toml", "Cargo.lock"}},
      {{"dotnet restore"}, {"*.csproj", "*.sln", "*.fsproj", "NuGet.config"}},
      {{"mix deps.get"}, {"mix.exs", "mix.lock"}},
  };
  return list;
}

bool is_manifest(const Ecosystem& eco, std::string_view path) {
  for (const char* m : eco.manifests) {
    if (glob(m, base_name(path))) return true;
  }
  return false;
}

std::string listing(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < 5; ++i) out += (i ? ", " : "") + quote_path(v[i]);
  if (v.size() > 5) out += " and " + std::to_string(v.size() - 5) + " more";
  return out;
}

bool is_broad(const CopyItem& item) { return item.type == EntryType::kDir || contains_wildcards(item.source); }

void warn_collisions(CopyStep& step) {
  CopyInstructionPlan& p = step.plan;
  std::map<std::string, std::vector<std::string>> writers;
  std::vector<std::string> order;
  std::set<std::string> seen;
  for (const auto& e : p.entries) {
    if (e.src.empty() || e.type == EntryType::kDir) continue;
    auto& w = writers[e.dest];
    if (w.empty()) order.push_back(e.dest);
    w.push_back(e.src);
    if (seen.insert(e.src).second) p.depends_on.push_back(e.src);
  }
  for (const auto& d : order) {
    const auto& w = writers[d];
    if (w.size() < 2) continue;
    std::string list;
    for (size_t i = 0; i < w.size(); ++i) list += (i ? ", " : "") + quote_path(w[i]);
    step.warn("collision",
              d + " is written " + std::to_string(w.size()) + " times (" + list + "); " + quote_path(w.back()) + " wins");
  }
}

// Secret-prone files copied into the image, at the severity of the most
// certain of them (report's secret-file findings, the same classifier).
// Only those at that severity are named: a template next to a real .env
// does not belong in an error.
void warn_secrets(const std::vector<SecretScanner::Result>& found, CopyStep& step) {
  if (found.empty()) return;
  Severity worst = Severity::kInfo;
  for (const SecretScanner::Result& r : found) worst = std::max(worst, r.verdict.severity);
  std::vector<std::string> listed;
  for (const SecretScanner::Result& r : found) {
    const SecretVerdict& v = r.verdict;
    if (v.severity == worst) listed.push_back(r.path + " (" + describe(v) + (v.why.empty() ? "" : ", " + v.why) + ")");
  }
  const size_t milder = found.size() - listed.size();
  step.warn("secret", "secret-prone files copied into the image: " + listing(listed) +
                          (milder ? " (and " + plural(milder, "milder one", "milder ones") + ")" : "") +
                          (worst == Severity::kInfo ? "" : "; exclude them in .dockerignore or copy only what the image needs"));
  step.plan.warnings.back().severity = worst;
}

}  // namespace

void sweep_warnings(CopyStep& step) {
  warn_collisions(step);
  const CopyInstructionPlan& p = step.plan;
  SecretScanner secret_scan(*step.context.ctx.fs, step.context.ctx.dir);
  std::vector<std::string> dotfiles;
  std::string git_dir;
  bool git_kept = false;  // an exception sends it on purpose
  for (const auto& item : p.items) {
    if (!is_broad(item) || item.archive) continue;
    for (size_t i = item.first_entry; i < item.first_entry + item.entry_count; ++i) {
      const CopyEntry& e = p.entries[i];
      if (e.src.empty()) continue;
      std::string_view base = base_name(e.src);
      if (base == ".git" && e.type == EntryType::kDir && git_dir.empty()) {
        git_dir = e.src;
        const Node* n = step.context.raw(e.src);
        git_kept = n && n->rule && n->rule->pattern.starts_with("!");
      }
      if (e.type == EntryType::kDir) continue;
      if (base.starts_with(".") && e.src.find("/.git/") == std::string::npos && !e.src.starts_with(".git/")) {
        dotfiles.push_back(e.src);
      }
      const Node* n = step.context.raw(e.src);
      const Rule* rule = n ? n->rule : nullptr;
      secret_scan.consider(e.src, rule && rule->pattern.starts_with("!") ? rule : nullptr);
    }
  }
  warn_secrets(secret_scan.finish(), step);
  for (const CopyEntry& e : p.entries) {
    if (e.src == ".dockerignore" && e.type == EntryType::kFile && step.context.dockerignore_rewritten) {
      step.warn("dockerignore-rewritten",
                ".dockerignore is copied as the classic client sent it: with the Dockerfile from stdin or from "
                "outside the context, it appends a line naming the Dockerfile it adds (.dockerfile.<random>), "
                "so " + e.dest + " differs from the file in the context");
    }
  }
  if (!git_dir.empty()) {
    // Wanted when the build reads it (a version stamp): then worth knowing,
    // not worth changing.
    const bool wanted = git_kept || step.run_follows;
    step.warn("git-dir", git_dir + "/ (the repository history) is copied" +
                             (git_kept          ? std::string(", as an exception in the ignore file asks")
                              : wanted          ? std::string("; a RUN after it could read it (a version stamp)")
                                                : std::string("; exclude it in .dockerignore")));
    if (wanted) step.plan.warnings.back().severity = Severity::kInfo;
  }
  if (!dotfiles.empty()) {
    step.warn("dotfiles", plural(dotfiles.size(), "dotfile", "dotfiles") +
                              " swept in (* and directory copies include them): " + listing(dotfiles));
  }
}

namespace {

// The install command the RUN holds, as written ("npm ci"); "" if none.
// A command starts a word: "pnpm install" is not "npm install".
const char* install_in(const std::string& run, const Ecosystem& eco) {
  for (const char* cmd : eco.commands) {
    for (size_t at = run.find(cmd); at != std::string::npos; at = run.find(cmd, at + 1)) {
      const char before = at ? run[at - 1] : ' ';
      if (!std::isalnum(static_cast<unsigned char>(before)) && before != '-' && before != '_') return cmd;
    }
  }
  return "";
}

// Whether the COPY brings the ecosystem's manifests together with more,
// broadly (a directory or a wildcard).
bool brings_manifests_and_more(const CopyInstructionPlan& cp, const Ecosystem& eco) {
  if (cp.error || cp.depends_on.empty() || !cp.from.empty()) return false;
  if (std::none_of(cp.items.begin(), cp.items.end(), is_broad)) return false;
  const auto manifest = [&](const std::string& d) { return is_manifest(eco, d); };
  return std::any_of(cp.depends_on.begin(), cp.depends_on.end(), manifest) &&
         !std::all_of(cp.depends_on.begin(), cp.depends_on.end(), manifest);
}

// The COPY lines that bring the manifests first, each to where the broad
// COPY puts it, so the image ends up the same: one line per directory.
std::string manifests_first(const CopyInstructionPlan& cp, const Ecosystem& eco) {
  std::map<std::string, std::vector<std::string>> by_dir;
  for (const CopyEntry& e : cp.entries) {
    if (e.src.empty() || e.type != EntryType::kFile || !is_manifest(eco, e.src)) continue;
    by_dir[std::string(parent_path(e.dest)) + "/"].push_back(e.src);
  }
  constexpr size_t kShown = 4;
  std::string s;
  size_t shown = 0;
  for (const auto& [dir, sources] : by_dir) {
    if (shown++ == kShown) {
      s += "; and " + plural(by_dir.size() - kShown, "more directory", "more directories");
      break;
    }
    s += s.empty() ? "COPY" : "; COPY";
    for (const std::string& src : sources) s += " " + src;
    s += " " + dir;
  }
  return s;
}

}  // namespace

void check_install_order(const DockerfileInstruction& inst, const std::vector<size_t>& copies, const ContextView&,
                         CopyPlan& plan) {
  for (const Ecosystem& eco : ecosystems()) {
    const std::string install = install_in(inst.original, eco);
    if (install.empty()) continue;
    for (size_t k = 0; k < copies.size(); ++k) {
      const CopyInstructionPlan& cp = plan.instructions[copies[k]];
      // When an earlier COPY of the stage brought manifests already, the
      // broad one is deliberate (workspace packages the install needs).
      const bool manifests_before = std::any_of(copies.begin(), copies.begin() + static_cast<long>(k), [&](size_t e) {
        const auto& deps = plan.instructions[e].depends_on;
        return std::any_of(deps.begin(), deps.end(), [&](const std::string& d) { return is_manifest(eco, d); });
      });
      if (manifests_before || !brings_manifests_and_more(cp, eco)) continue;
      CopyDiagnostic d{"cache-order",
                       "line " + std::to_string(cp.line) + " copies " +
                           plural(cp.depends_on.size(), "context file", "context files") + " before `" +
                           std::string(trim_instruction(install)) + "` on line " + std::to_string(inst.line) +
                           ": any edit re-runs the install; copy the manifests first (" + manifests_first(cp, eco) +
                           ")",
                       std::nullopt, copy_diagnostic_severity("cache-order")};
      bool dup = false;
      for (const auto& h : plan.hints) dup |= h.code == d.code && h.message.starts_with("line " + std::to_string(cp.line) + " ");
      if (!dup) plan.hints.push_back(std::move(d));
    }
  }
}

}  // namespace ctxpack::copy
