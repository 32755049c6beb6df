// Advice that needs a whole COPY or a whole build: what a broad source
// sweeps in, and layer-cache order.
#include <map>
#include <set>

#include "ctxpack/output/format.h"
#include "ctxpack/support/path.h"
#include "planner.h"

namespace ctxpack::copy {

namespace {

bool glob(const char* pattern, std::string_view name) { return go_filepath_match(pattern, name) == 1; }

// Files people rarely mean to put in an image.
std::string secret_kind(std::string_view rel) {
  std::string_view base = base_name(rel);
  if (base == ".env" || base.starts_with(".env.")) return "environment file";
  for (const char* k : {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}) {
    if (base == k) return "SSH private key";
  }
  if (glob("*.pem", base) || glob("*.key", base) || glob("*.p12", base) || glob("*.pfx", base))
    return "key or certificate";
  if (base == ".npmrc" || base == ".pypirc" || base == ".netrc" || base == ".git-credentials" || base == ".htpasswd") {
    return "credentials file";
  }
  if (base == "credentials" && rel.find(".aws/") != std::string_view::npos) return "cloud credentials";
  if (base == "kubeconfig" || (base == "config" && rel.find(".kube/") != std::string_view::npos)) return "kubeconfig";
  if (glob("*.tfstate", base) || glob("*.tfstate.backup", base)) return "terraform state";
  return "";
}

// Dependency install steps and the manifests they read.
struct Ecosystem {
  std::vector<const char*> commands;
  std::vector<const char*> manifests;  // Go filepath.Match patterns at the context root
};
const std::vector<Ecosystem>& ecosystems() {
  static const std::vector<Ecosystem> list = {
      {{"npm ci", "npm install", "npm i ", "yarn install", "yarn --", "pnpm install", "pnpm i "},
       {"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", ".npmrc",
        ".yarnrc*"}},
      {{"pip install", "pip3 install", "poetry install", "pipenv install", "uv sync", "uv pip install"},
       {"requirements*.txt", "pyproject.toml", "poetry.lock", "Pipfile", "Pipfile.lock", "setup.py", "setup.cfg",
        "uv.lock"}},
      {{"go mod download", "go mod vendor"}, {"go.mod", "go.sum"}},
      {{"bundle install"}, {"Gemfile", "Gemfile.lock", "*.gemspec"}},
      {{"composer install"}, {"composer.json", "composer.lock"}},
      {{"cargo fetch", "cargo build"}, {"Cargo.toml", "Cargo.lock"}},
      {{"mvn ", "./mvnw "}, {"pom.xml"}},
      {{"gradle ", "./gradlew "},
       {"build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties"}},
      {{"dotnet restore"}, {"*.csproj", "*.sln", "*.fsproj", "NuGet.config"}},
      {{"mix deps.get"}, {"mix.exs", "mix.lock"}},
  };
  return list;
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

}  // namespace

void sweep_warnings(CopyStep& step) {
  warn_collisions(step);
  const CopyInstructionPlan& p = step.plan;
  std::vector<std::string> dotfiles, secrets;
  std::string git_dir;
  for (const auto& item : p.items) {
    if (!is_broad(item) || item.archive) continue;
    for (size_t i = item.first_entry; i < item.first_entry + item.entry_count; ++i) {
      const CopyEntry& e = p.entries[i];
      if (e.src.empty()) continue;
      std::string_view base = base_name(e.src);
      if (base == ".git" && e.type == EntryType::kDir && git_dir.empty()) git_dir = e.src;
      if (e.type == EntryType::kDir) continue;
      if (base.starts_with(".") && e.src.find("/.git/") == std::string::npos && !e.src.starts_with(".git/")) {
        dotfiles.push_back(e.src);
      }
      std::string kind = secret_kind(e.src);
      if (!kind.empty()) secrets.push_back(e.src + " (" + kind + ")");
    }
  }
  if (!secrets.empty()) {
    step.warn("secret", "secret-prone files copied into the image: " + listing(secrets) +
                            "; exclude them in .dockerignore or copy only what the image needs");
  }
  if (!git_dir.empty()) step.warn("git-dir", git_dir + "/ (the repository history) is copied into the image");
  if (!dotfiles.empty()) {
    step.warn("dotfiles", plural(dotfiles.size(), "dotfile", "dotfiles") +
                              " swept in (* and directory copies include them): " + listing(dotfiles));
  }
}

namespace {

// Whether the COPY brings more than the ecosystem's manifests, broadly.
bool copies_beyond_manifests(const CopyInstructionPlan& cp, const Ecosystem& eco) {
  if (cp.error || cp.depends_on.empty() || !cp.from.empty()) return false;
  bool broad = false;
  for (const auto& item : cp.items) broad |= is_broad(item);
  if (!broad) return false;
  for (const auto& d : cp.depends_on) {
    bool manifest = false;
    for (const char* m : eco.manifests) manifest |= glob(m, base_name(d));
    if (!manifest) return true;
  }
  return false;
}

std::string manifests_first(const ContextView& view, const Ecosystem& eco, const std::string& install) {
  std::vector<std::string> present;
  for (const auto& [name, kid] : view.root.kids) {
    if (!kid.visible || kid.is_dir()) continue;
    for (const char* m : eco.manifests) {
      if (glob(m, name)) {
        present.push_back(name);
        break;
      }
    }
  }
  if (present.empty()) return "copy only the dependency manifests before it";
  std::string s = "copy the manifests first (COPY";
  for (const auto& m : present) s += " " + m;
  return s + " ./), then " + install + ", then the rest";
}

}  // namespace

void check_install_order(const DockerfileInstruction& inst, const std::vector<size_t>& copies,
                         const ContextView& view, CopyPlan& plan) {
  const std::string& text = inst.original;
  for (const Ecosystem& eco : ecosystems()) {
    bool hit = false;
    for (const char* cmd : eco.commands) hit |= text.find(cmd) != std::string::npos;
    if (!hit) continue;
    for (size_t idx : copies) {
      CopyInstructionPlan& cp = plan.instructions[idx];
      if (!copies_beyond_manifests(cp, eco)) continue;
      CopyDiagnostic d{"cache-order",
                       "line " + std::to_string(cp.line) + " copies " + std::to_string(cp.depends_on.size()) +
                           " context files before the install step on line " + std::to_string(inst.line) +
                           ": editing any of them re-runs the install; " +
                           manifests_first(view, eco, std::string(trim_instruction(text))),
                       std::nullopt};
      bool dup = false;
      for (const auto& w : cp.warnings) dup |= w.code == d.code;
      if (!dup) {
        cp.warnings.push_back(d);
        plan.hints.push_back(d);
      }
    }
  }
}

}  // namespace ctxpack::copy
