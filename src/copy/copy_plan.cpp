#include "ctxpack/copy/copy_plan.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "ctxpack/support/error.h"
#include "ctxpack/output/output.h"
#include "ctxpack/support/path.h"
#include "ctxpack/context/walk.h"

namespace ctxpack {

std::string_view entry_type_name(EntryType t) {
  switch (t) {
    case EntryType::kFile:
      return "file";
    case EntryType::kDir:
      return "dir";
    case EntryType::kSymlink:
      return "symlink";
  }
  return "file";
}

namespace {

// A tree of the context or of an image. Children are kept in byte order,
// the order in which both builders walk a directory.
struct Node {
  FileType type = FileType::kDirectory;
  uint64_t size = 0;
  std::string link;  // symlink target
  // Context trees:
  bool sent = true;      // the builder's walk sends it
  bool removed = false;  // the classic daemon deletes it after receiving it
  bool visible = true;   // COPY can see it
  int rule = -1;         // the ignore rule that decided it
  // Image trees:
  std::string origin;  // where its content came from
  std::map<std::string, Node> kids;

  bool is_dir() const { return type == FileType::kDirectory; }
};

std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string join_parts(const std::vector<std::string>& parts, bool absolute) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty() || absolute) out += '/';
    out += p;
  }
  if (out.empty()) return absolute ? "/" : ".";
  return out;
}

// Which nodes a lookup may see.
using Filter = bool (*)(const Node&);
bool all_nodes(const Node&) { return true; }
bool visible_nodes(const Node& n) { return n.visible; }

const Node* child(const Node& dir, const std::string& name, Filter filter) {
  if (!dir.is_dir()) return nullptr;
  auto it = dir.kids.find(name);
  if (it == dir.kids.end() || !filter(it->second)) return nullptr;
  return &it->second;
}

const Node* lookup(const Node& root, const std::vector<std::string>& parts, Filter filter) {
  const Node* n = &root;
  for (const auto& p : parts) {
    n = child(*n, p, filter);
    if (!n) return nullptr;
  }
  return n;
}

// Symlinks resolved inside the tree, never above its root (what Docker's
// scoped path resolution and BuildKit's RootPath do). Returns the resolved
// components; the node there, if any, goes to *out. Throws on a loop.
std::vector<std::string> resolve(const Node& root, std::string_view path, bool follow_final, Filter filter,
                                 const Node** out, bool* crossed_link = nullptr) {
  std::vector<std::string> todo = components(path);
  std::reverse(todo.begin(), todo.end());
  std::vector<std::string> cur;
  int hops = 0;
  while (!todo.empty()) {
    std::string c = std::move(todo.back());
    todo.pop_back();
    if (c == ".") continue;
    if (c == "..") {
      if (!cur.empty()) cur.pop_back();
      continue;
    }
    cur.push_back(c);
    const Node* n = lookup(root, cur, filter);
    if (n && n->type == FileType::kSymlink && (!todo.empty() || follow_final)) {
      if (++hops > 255) throw Error("too many levels of symbolic links: " + std::string(path));
      if (crossed_link) *crossed_link = true;
      cur.pop_back();
      if (!n->link.empty() && n->link[0] == '/') cur.clear();
      std::vector<std::string> target = components(n->link);
      for (auto it = target.rbegin(); it != target.rend(); ++it) todo.push_back(*it);
    }
  }
  *out = lookup(root, cur, filter);
  return cur;
}

bool contains_wildcards(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '*' || s[i] == '?' || s[i] == '[') {
      return true;
    }
  }
  return false;
}

bool is_url(std::string_view s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }
bool is_git(std::string_view s) {
  if (s.rfind("git@", 0) == 0 || s.rfind("git://", 0) == 0) return true;
  if (!is_url(s)) return false;
  std::string_view p = s.substr(0, s.find('#'));
  return p.size() > 4 && p.substr(p.size() - 4) == ".git";
}

EntryType entry_type(FileType t) {
  if (t == FileType::kDirectory) return EntryType::kDir;
  if (t == FileType::kSymlink) return EntryType::kSymlink;
  return EntryType::kFile;
}

std::string rel_join(const std::string& dir, const std::string& name) {
  return dir.empty() || dir == "." ? name : dir + "/" + name;
}
std::string abs_join(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

// ---------------------------------------------------------------------------
// The context as walked, with what each builder lets COPY see.

class ContextTree : public WalkVisitor {
 public:
  Node root;
  FileSystem* fs = nullptr;

  void visit(const WalkEntry& e) override {
    std::vector<std::string> parts = components(e.path);
    Node* parent = &root;
    for (size_t i = 0; i + 1 < parts.size(); ++i) parent = &parent->kids[parts[i]];
    Node& n = parent->kids[parts.back()];
    n.type = e.entry->info.type;
    n.size = e.entry->info.size;
    n.sent = e.sent && !e.pruned;
    n.rule = e.verdict.rule;
    if (n.type == FileType::kSymlink) fs->read_link(e.dir, e.entry->name, &n.link);
  }
  void warning(const std::string&) override {}
};

// Everything a rule or explanation needs to say why a path is not there.
struct Explainer {
  const Node* root;
  const Matcher* matcher;

  // The node at `rel` regardless of visibility.
  const Node* raw(const std::string& rel) const { return lookup(*root, components(rel), all_nodes); }

  std::string rule_of(const Node& n) const {
    return n.rule >= 0 ? rule_reference(matcher->rule(static_cast<size_t>(n.rule))) : "";
  }
};

// ---------------------------------------------------------------------------
// An image's file tree, as far as COPY/ADD and WORKDIR build it.

class ImageTree {
 public:
  Node root;
  bool base_unknown = false;  // built on an image we cannot see (or after RUN)
  bool ran_commands = false;

  // mkdir -p; new directories are reported. Throws (message only) when a
  // component is not a directory.
  void mkdir_p(const std::string& abs, std::vector<CopyEntry>* created) {
    const Node* unused;
    std::vector<std::string> parts = resolve(root, abs, true, all_nodes, &unused);
    Node* n = &root;
    std::vector<std::string> so_far;
    for (const auto& p : parts) {
      so_far.push_back(p);
      auto it = n->kids.find(p);
      if (it == n->kids.end()) {
        Node d;
        d.type = FileType::kDirectory;
        it = n->kids.emplace(p, std::move(d)).first;
        if (created) created->push_back(CopyEntry{"", join_parts(so_far, true), EntryType::kDir, 0, ""});
      } else if (!it->second.is_dir()) {
        throw Error("mkdir " + join_parts(so_far, true) + ": not a directory");
      }
      n = &it->second;
    }
  }

  Node* find(const std::string& abs) {
    Node* n = &root;
    for (const auto& p : components(abs)) {
      if (!n->is_dir()) return nullptr;
      auto it = n->kids.find(p);
      if (it == n->kids.end()) return nullptr;
      n = &it->second;
    }
    return n;
  }

  // The resolved path of `abs` (symlinks followed inside the image).
  std::string resolved(const std::string& abs, bool follow_final) {
    const Node* unused;
    return join_parts(resolve(root, abs, follow_final, all_nodes, &unused), true);
  }

  // Puts `node` at `abs` (whose parent exists), replacing what was there.
  void put(const std::string& abs, Node node) {
    std::string dir(parent_path(abs).empty() ? "/" : parent_path(abs));
    Node* parent = find(dir);
    if (!parent || !parent->is_dir()) throw Error("mkdir " + dir + ": not a directory");
    parent->kids[std::string(base_name(abs))] = std::move(node);
  }
};

// ---------------------------------------------------------------------------
// Archives ADD extracts.

struct ArchiveEntry {
  std::string path;
  EntryType type;
  uint64_t size;
  std::string link;
};

struct ReadCtx {
  InputFile* file;
  char buf[65536];
};

la_ssize_t read_cb(struct archive*, void* data, const void** out) {
  auto* rc = static_cast<ReadCtx*>(data);
  *out = rc->buf;
  ssize_t n = rc->file->read(rc->buf, sizeof rc->buf);
  return n < 0 ? -1 : n;
}

// Whether the file is a (possibly compressed) tar, as Docker decides by
// reading its first header; if so, its entries.
bool read_archive(FileSystem& fs, const std::vector<std::string>& parts, std::vector<ArchiveEntry>* entries) {
  FileSystem::Dir dir = fs.root();
  std::vector<DirHandle> handles;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    FileSystem::Dir next;
    if (fs.open_dir(dir, parts[i], &next) != 0) return false;
    handles.emplace_back(fs, next);
    dir = next;
  }
  std::unique_ptr<InputFile> file;
  if (fs.open_file(dir, parts.back(), &file) != 0) return false;
  auto rc = std::make_unique<ReadCtx>();
  rc->file = file.get();
  struct archive* a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_bzip2(a);
  archive_read_support_filter_xz(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_format_tar(a);
  bool ok = false;
  if (archive_read_open(a, rc.get(), nullptr, read_cb, nullptr) == ARCHIVE_OK) {
    struct archive_entry* e;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
      ok = true;
      const char* name = archive_entry_pathname(e);
      std::string p = clean_path(name ? name : "");
      while (p.rfind("/", 0) == 0) p.erase(0, 1);
      if (p.empty() || p == ".") continue;
      ArchiveEntry ae;
      ae.path = p;
      ae.size = static_cast<uint64_t>(archive_entry_size(e));
      mode_t t = archive_entry_filetype(e);
      ae.type = t == AE_IFDIR ? EntryType::kDir : t == AE_IFLNK ? EntryType::kSymlink : EntryType::kFile;
      if (ae.type == EntryType::kSymlink && archive_entry_symlink(e)) ae.link = archive_entry_symlink(e);
      entries->push_back(std::move(ae));
      archive_read_data_skip(a);
    }
  }
  archive_read_free(a);
  return ok;
}

// ---------------------------------------------------------------------------
// Files people rarely mean to put in an image.

bool glob(const char* pattern, std::string_view name) { return go_filepath_match(pattern, name) == 1; }

std::string secret_kind(std::string_view rel) {
  std::string_view base = base_name(rel);
  if (base == ".env" || (base.rfind(".env.", 0) == 0)) return "environment file";
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

// ---------------------------------------------------------------------------

class Planner {
 public:
  Planner(BuildContext& ctx, const Build& build) : ctx_(ctx), b_(build) {}

  CopyPlan run() {
    plan_.builder = ctx_.builder;
    load_context();
    compute_visibility();
    std::vector<ImageTree> images(b_.stages.size());
    for (size_t s = 0; s < b_.stages.size(); ++s) {
      const BuildStage& stage = b_.stages[s];
      ImageTree& img = images[s];
      if (stage.base_stage >= 0) {
        img = images[static_cast<size_t>(stage.base_stage)];
      } else {
        img.base_unknown = !stage.scratch;
      }
      std::vector<size_t> stage_copies;
      for (const BuildStep& step : stage.steps) {
        const DockerfileInstruction& inst = b_.file.instructions[step.instruction];
        if (step.kind == StepKind::kWorkdir) {
          try {
            img.mkdir_p(step.workdir, nullptr);
          } catch (const Error&) {
          }
        } else if (step.kind == StepKind::kRun) {
          img.ran_commands = true;
          if (stage.built) check_install_order(inst, stage_copies);
        } else if (step.kind == StepKind::kCopy) {
          CopyInstructionPlan p;
          p.line = inst.line;
          p.stage = stage_label(s);
          p.instruction = std::string(trim_copy(inst.original));
          p.runs = stage.built;
          plan_copy(step, img, images, s, p);
          stage_copies.push_back(plan_.instructions.size());
          plan_.instructions.push_back(std::move(p));
        }
      }
    }
    finish(images);
    return std::move(plan_);
  }

 private:
  static std::string_view trim_copy(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
  }

  std::string stage_label(size_t s) const { return b_.stages[s].name.empty() ? std::to_string(s) : b_.stages[s].name; }

  bool legacy() const { return ctx_.builder == Builder::kLegacy; }

  void load_context() {
    tree_.fs = ctx_.fs.get();
    WalkOptions wo;
    wo.stat = true;
    wo.include_excluded = true;
    walk_context(ctx_, wo, tree_);
    explain_ = Explainer{&tree_.root, ctx_.matcher.get()};
    if (legacy()) mark_daemon_removals();
  }

  // The classic daemon deletes .dockerignore and the Dockerfile from the
  // received context when the ignore file (as written, with the old
  // single-ancestor matcher) excludes them.
  void mark_daemon_removals() {
    std::vector<Rule> rules;
    for (const Rule& r : ctx_.ignore.rules) {
      if (r.file != kCliRuleSource) rules.push_back(r);
    }
    if (ctx_.ignore.path.empty()) return;
    Matcher m(rules);
    std::vector<std::string> names = {".dockerignore"};
    if (!ctx_.dockerfile_rel.empty()) names.push_back(ctx_.dockerfile_rel);
    for (const auto& name : names) {
      bool rm = false;
      try {
        rm = m.matches_one_parent(name).excluded;
      } catch (const PatternError&) {
      }
      if (!rm) continue;
      Node* n = &tree_.root;
      for (const auto& p : components(name)) {
        auto it = n->kids.find(p);
        if (it == n->kids.end()) {
          n = nullptr;
          break;
        }
        n = &it->second;
      }
      if (n) n->removed = true;
    }
  }

  // -------------------------------------------------------------------------
  // What BuildKit transfers: the paths the built stages' COPY/ADD (and RUN
  // bind mounts) name, symlinks on the way followed, or everything once
  // one of them is the root.

  void compute_visibility() {
    std::set<std::string> paths;
    bool any = false;
    for (const BuildStage& st : b_.stages) {
      if (!st.built) continue;
      for (const BuildStep& step : st.steps) {
        if (step.kind == StepKind::kCopy && step.copy.from.empty()) {
          for (const auto& src : step.copy.sources) {
            if (step.copy.add && (is_url(src) || is_git(src))) continue;
            paths.insert(clean_path("/" + src));
            any = true;
          }
        }
        for (const auto& src : step.run_context_paths) {
          paths.insert(clean_path("/" + src));
          any = true;
        }
      }
    }
    plan_.transfer_whole = paths.count("/") > 0;
    std::unique_ptr<Matcher> include;
    if (!plan_.transfer_whole && any) {
      std::set<std::string> followed;
      for (const auto& p : paths) follow_links(p.substr(1), followed);
      std::vector<Rule> rules;
      for (const auto& p : followed) {
        plan_.transfer_paths.push_back(p);
        rules.push_back(Rule{p, "(FollowPaths)", 0, p});
      }
      try {
        include = std::make_unique<Matcher>(rules);
      } catch (const Error& e) {
        transfer_error_ = std::string("invalid includepatterns: ") + e.what();
      }
    }
    auto mark = [&](auto&& self, Node& n, const std::string& rel) -> bool {
      bool kid_transferred = false;
      for (auto& [name, kid] : n.kids) kid_transferred |= self(self, kid, rel_join(rel, name));
      bool base = n.sent && !n.removed;
      bool uploaded = n.sent;
      bool t = false;
      if (rel.empty()) {
        t = true;
      } else if (!legacy()) {
        if (plan_.transfer_whole) {
          t = base;
        } else if (include && transfer_error_.empty()) {
          bool inc = false;
          try {
            inc = include->matches_or_parents(rel).excluded;
          } catch (const Error& e) {
            transfer_error_ = std::string("invalid includepatterns: ") + e.what();
          }
          t = base && (inc || kid_transferred);
        }
      }
      // The classic daemon untars the upload: a directory the CLI left out
      // still exists when something below it was sent.
      n.visible = legacy() ? (base || (n.is_dir() && kid_transferred)) : t;
      if (!rel.empty() && uploaded) {
        if (n.type == FileType::kRegular) {
          ++plan_.context.files;
          plan_.context.bytes += n.size;
        }
        ++plan_.context.entries;
      }
      if (!rel.empty() && n.visible && !legacy()) {
        if (n.type == FileType::kRegular) {
          ++plan_.transfer.files;
          plan_.transfer.bytes += n.size;
        }
        ++plan_.transfer.entries;
      }
      return n.visible;
    };
    mark(mark, tree_.root, "");
    tree_.root.visible = true;
    if (legacy()) plan_.transfer = plan_.context;
  }

  // fsutil's FollowLinks: each symlink met on the way to a path (wildcard
  // components expanded against the disk) adds its target.
  void follow_links(const std::string& p, std::set<std::string>& out, int depth = 0) {
    if (depth > 64) return;
    std::vector<std::string> parts = components(p);
    std::vector<std::string> cur;
    for (size_t i = 0; i < parts.size(); ++i) {
      cur.push_back(parts[i]);
      std::string rest;
      for (size_t k = i + 1; k < parts.size(); ++k) rest = rel_join(rest, parts[k]);
      std::string cur_path = join_parts(cur, false);
      std::vector<std::string> targets = link_targets(cur_path);
      if (!targets.empty()) {
        if (!out.insert(cur_path).second && rest.empty()) return;
        for (const auto& t : targets) {
          std::string next = clean_path(rest.empty() ? t : t + "/" + rest);
          while (next.rfind("/", 0) == 0) next.erase(0, 1);
          if (next.empty()) next = ".";
          follow_links(next, out, depth + 1);
        }
        return;
      }
    }
    out.insert(p.empty() ? "." : p);
  }

  std::vector<std::string> link_targets(const std::string& rel) {
    std::vector<std::string> out;
    std::string_view base = base_name(rel);
    std::string dir(parent_path(rel));
    auto target_of = [&](const Node& n, const std::string& path) {
      std::string l = clean_path(n.link);
      if (!l.empty() && l[0] == '/') return l;
      return clean_path("/" + rel_join(std::string(parent_path(path)), l));
    };
    if (contains_wildcards(base)) {
      const Node* d = explain_.raw(dir.empty() ? "." : dir);
      if (dir.empty()) d = &tree_.root;
      if (!d || !d->is_dir()) return out;
      for (const auto& [name, kid] : d->kids) {
        if (kid.type == FileType::kSymlink && go_filepath_match(base, name) == 1) {
          out.push_back(target_of(kid, rel_join(dir, name)));
        }
      }
      return out;
    }
    const Node* n = explain_.raw(rel);
    if (n && n->type == FileType::kSymlink) out.push_back(target_of(*n, rel));
    return out;
  }

  // -------------------------------------------------------------------------
  // One COPY or ADD.

  struct Source {
    std::string word;  // as written
    std::string raw;   // the path before symlinks were followed
    std::string path;  // resolved context path ("" = root)
    std::string name;  // the name a file lands under
    const Node* node = nullptr;
    bool flattened = false;
    bool heredoc = false;
    const Heredoc* doc = nullptr;
    bool remote = false;  // URL or git
    bool git = false;
    bool in_context = true;
  };

  void warn(CopyInstructionPlan& p, const std::string& code, const std::string& msg, const std::string& rule = "") {
    for (const auto& w : p.warnings) {
      if (w.code == code && w.message == msg) return;
    }
    p.warnings.push_back(CopyDiagnostic{code, msg, rule});
  }

  void plan_copy(const BuildStep& step, ImageTree& img, std::vector<ImageTree>& images, size_t stage,
                 CopyInstructionPlan& p) {
    const CopyCommand& c = step.copy;
    const char* cmd = c.add ? "ADD" : "COPY";
    cmd_ = cmd;
    for (const auto& n : step.notes) warn(p, "unknown-variable", n);
    if (!c.from.empty()) {
      p.from = c.from;
      plan_from(step, img, images, stage, p);
      return;
    }
    try {
      if (legacy()) {
        if (c.has_chmod) {
          throw Error(
              "the --chmod option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to "
              "build images with BuildKit enabled");
        }
        for (const char* f : {"link", "exclude", "parents"}) {
          bool used = (std::string(f) == "link" && c.link) || (std::string(f) == "exclude" && !c.excludes.empty()) ||
                      (std::string(f) == "parents" && c.parents);
          if (used) {
            warn(p, "ignored-flag",
                 std::string("--") + f + " is ignored by the classic builder (older engines reject it: unknown flag)");
          }
        }
      }
      if (!transfer_error_.empty() && !legacy()) throw Error(transfer_error_);
      std::string dest = destination(c.dest, step.workdir);
      if (!legacy() && c.parents) {
        plan_parents(step, dest, img, p);
      } else {
        std::vector<Source> sources = expand_sources(step, p);
        if (legacy()) {
          if (sources.empty()) throw Error(std::string(cmd) + " failed: no source files were specified");
          if (sources.size() > 1 && (c.dest.empty() || c.dest.back() != '/')) {
            throw Error(std::string("When using ") + cmd +
                        " with more than one source file, the destination must be a directory and end with a /");
          }
        } else if (sources.size() > 1 && !dir_form(dest)) {
          warn(p, "multi-source-dest",
               "several sources into " + dest +
                   " without a trailing /: BuildKit does not refuse it; each source is "
                   "copied in turn onto the same path (the classic builder refuses it)");
        }
        for (const Source& s : sources) place(s, c, dest, img, p);
      }
    } catch (const Error& e) {
      p.error = e.what();
      p.entries.clear();
      p.items.clear();
    }
    if (!p.error) sweep_warnings(p);
  }

  // The destination as the builder normalises it (absolute, WORKDIR-relative,
  // a trailing slash or "/." kept by BuildKit).
  std::string destination(const std::string& d, const std::string& workdir) {
    if (legacy()) {
      bool slash = !d.empty() && d.back() == '/';
      std::string out = d.empty() || d[0] != '/' ? clean_path("/" + workdir + "/" + d) : d;
      if (d.empty() || d[0] != '/') {
        if (slash && out != "/") out += "/";
      }
      return out;
    }
    std::string req = (d.empty() || d == ".") ? "./" : d;
    std::string out = req[0] == '/' ? clean_path(req) : clean_path(workdir + "/" + req);
    bool dot = req.size() >= 2 && req.compare(req.size() - 2, 2, "/.") == 0;
    if ((req.back() == '/' || dot) && out != "/") out += "/";
    return out;
  }

  static bool dir_form(const std::string& dest) {
    return !dest.empty() && (dest.back() == '/' || (dest.size() >= 2 && dest.compare(dest.size() - 2, 2, "/.") == 0));
  }

  std::vector<Source> expand_sources(const BuildStep& step, CopyInstructionPlan& p) {
    const CopyCommand& c = step.copy;
    std::vector<Source> out;
    for (size_t slot : c.source_order) {
      if (slot >= c.sources.size()) {
        const Heredoc& h = c.heredoc_sources[~slot];
        if (legacy()) {
          warn(p, "heredoc-ignored", "the classic builder ignores heredoc <<" + h.name + " (no file is written)");
          continue;
        }
        Source s;
        s.word = "<<" + h.name;
        s.name = h.name;
        s.heredoc = true;
        s.doc = &h;
        out.push_back(s);
        continue;
      }
      const std::string& word = c.sources[slot];
      if (is_url(word) || is_git(word)) {
        if (!c.add) throw Error(std::string("source can't be a URL for COPY"));
        Source s;
        s.word = word;
        s.remote = true;
        s.git = is_git(word) && !legacy();
        std::string u = word.substr(0, word.find_first_of("?#"));
        size_t scheme = u.find("://");
        std::string path = scheme == std::string::npos ? "" : u.substr(scheme + 3);
        size_t slash = path.find('/');
        path = slash == std::string::npos ? "" : path.substr(slash);
        s.name = path.empty() || path == "/" ? "__unnamed__" : std::string(base_name(clean_path(path)));
        out.push_back(s);
        continue;
      }
      if (legacy()) {
        expand_legacy(word, p, out);
      } else {
        expand_buildkit(word, p, out);
      }
    }
    return out;
  }

  // Why a context path is not visible, as one clause.
  std::string why_missing(const std::string& rel, std::string* rule) {
    std::vector<std::string> parts = components(rel);
    std::vector<std::string> cur;
    const Node* n = &tree_.root;
    for (const auto& part : parts) {
      cur.push_back(part);
      auto it = n->kids.find(part);
      if (it == n->kids.end()) return "";
      n = &it->second;
      std::string path = join_parts(cur, false);
      if (!n->sent) {
        *rule = explain_.rule_of(*n);
        return path + " is excluded by " + (rule->empty() ? std::string(".dockerignore") : *rule);
      }
      if (n->removed) {
        return path + " is deleted by the classic daemon because .dockerignore excludes it";
      }
      if (!n->visible) {
        return path + " is not transferred: BuildKit sends only what the Dockerfile's sources match";
      }
      if (n->type == FileType::kSymlink) {
        std::string target = n->link;
        return path + " is a symlink to " + target +
               (target.rfind("/", 0) == 0 || target.rfind("..", 0) == 0
                    ? ", resolved inside the context, where it does not exist"
                    : ", which is not in the context");
      }
    }
    return "";
  }

  void expand_buildkit(const std::string& word, CopyInstructionPlan& p, std::vector<Source>& out) {
    std::string norm = clean_path("/" + word);
    if (word.rfind("..", 0) == 0 || word.find("/../") != std::string::npos) {
      if (clean_path(word).rfind("..", 0) == 0) {
        warn(p, "parent-dir-source",
             word + " is read as " + norm.substr(1 == norm.size() ? 0 : 1) +
                 " in the context: BuildKit drops the .. (the classic builder refuses it)");
      }
    }
    if (!contains_wildcards(norm)) {
      const Node* n = nullptr;
      std::vector<std::string> parts = resolve(tree_.root, norm, true, visible_nodes, &n);
      if (!n) {
        std::string rule;
        std::string why = why_missing(norm.substr(1), &rule);
        if (!why.empty()) warn(p, rule.empty() ? "missing-source" : "excluded-source", why, rule);
        // The checksum names the path it reached, symlinks followed.
        throw Error("failed to compute cache key: failed to calculate checksum of ref: \"" + join_parts(parts, true) +
                    "\": not found");
      }
      Source s;
      s.word = word;
      s.raw = norm.substr(1);
      s.path = join_parts(parts, false);
      if (s.path == ".") s.path = "";
      s.name = norm == "/" ? "" : std::string(base_name(norm));
      s.node = n;
      out.push_back(s);
      return;
    }
    if (word.size() > 1 && word.back() == '/') {
      warn(p, "trailing-slash-wildcard",
           word + " also matches files: BuildKit ignores the trailing / (the classic builder matches nothing)");
    }
    // Split at the first component with a wildcard.
    std::vector<std::string> parts = components(norm);
    std::vector<std::string> prefix, rest;
    for (const auto& part : parts) {
      if (rest.empty() && !contains_wildcards(part)) {
        prefix.push_back(part);
      } else {
        rest.push_back(part);
      }
    }
    std::string pattern = join_parts(rest, false);
    const Node* base = nullptr;
    std::vector<std::string> based = resolve(tree_.root, join_parts(prefix, true), true, visible_nodes, &base);
    if (!base) {
      std::string rule;
      std::string why = why_missing(join_parts(prefix, false), &rule);
      if (why.empty() && raw_exists(join_parts(prefix, false))) {
        why = join_parts(prefix, false) +
              " exists but nothing in it matches, so BuildKit does not transfer it (the Docker 20.10 client still "
              "sent such a directory, and the build copied nothing)";
      }
      if (!why.empty()) warn(p, rule.empty() ? "missing-source" : "excluded-source", why, rule);
      throw Error("lstat " + join_parts(prefix, true) + ": no such file or directory");
    }
    std::string base_path = join_parts(based, false);
    if (base_path == ".") base_path.clear();
    size_t before = out.size();
    if (base->is_dir()) {
      std::function<void(const Node&, const std::string&)> walk = [&](const Node& dir, const std::string& rel) {
        for (const auto& [name, kid] : dir.kids) {
          if (!kid.visible) continue;
          std::string r = rel_join(rel, name);
          if (go_filepath_match(pattern, r) == 1) {
            Source s;
            s.word = word;
            s.raw = rel_join(base_path, r);
            s.name = name;
            const Node* followed = nullptr;
            std::vector<std::string> real = resolve(tree_.root, s.raw, true, visible_nodes, &followed);
            if (!followed) {
              throw Error("lstat /" + s.raw + ": no such file or directory");
            }
            s.path = join_parts(real, false) == "." ? "" : join_parts(real, false);
            s.node = followed;
            s.flattened = followed->is_dir();
            out.push_back(s);
            continue;  // a matched directory is not walked into
          }
          if (kid.is_dir()) walk(kid, r);
        }
      };
      walk(*base, "");
    }
    if (out.size() == before) {
      warn(
          p, "empty-wildcard",
          word + " matches nothing: BuildKit copies nothing for it (the classic builder fails when no source matches)");
      excluded_matches(word, norm.substr(1), p);
    } else {
      excluded_matches(word, norm.substr(1), p);
    }
  }

  bool raw_exists(const std::string& rel) { return explain_.raw(rel) != nullptr; }

  // Paths on disk a wildcard would match but the ignore file keeps out.
  void excluded_matches(const std::string& word, const std::string& pattern, CopyInstructionPlan& p) {
    std::vector<std::string> hits;
    std::string rule;
    std::function<void(const Node&, const std::string&)> walk = [&](const Node& dir, const std::string& rel) {
      for (const auto& [name, kid] : dir.kids) {
        std::string r = rel_join(rel, name);
        bool m = go_filepath_match(pattern, r) == 1;
        if (m && !kid.sent) {
          hits.push_back(r);
          if (rule.empty()) rule = explain_.rule_of(kid);
        }
        if (kid.is_dir() && (!m || kid.sent)) walk(kid, r);
      }
    };
    walk(tree_.root, "");
    if (hits.empty()) return;
    std::string list;
    for (size_t i = 0; i < hits.size() && i < 3; ++i) list += (i ? ", " : "") + quote_path(hits[i]);
    if (hits.size() > 3) list += " and " + std::to_string(hits.size() - 3) + " more";
    warn(p, "excluded-match",
         word + " would also match " + list + ", excluded by " + (rule.empty() ? ".dockerignore" : rule), rule);
  }

  void expand_legacy(const std::string& word, CopyInstructionPlan& p, std::vector<Source>& out) {
    std::string orig = word;
    if (orig.rfind("/", 0) == 0) orig.erase(0, 1);
    if (orig.rfind("./", 0) == 0) orig.erase(0, 2);
    if (contains_wildcards(orig)) {
      if (orig.size() > 1 && orig.back() == '/') {
        warn(p, "trailing-slash-wildcard",
             word + " matches nothing in the classic builder: its walk never yields a trailing /");
      }
      size_t before = out.size();
      std::function<void(const Node&, const std::string&)> walk = [&](const Node& dir, const std::string& rel) {
        for (const auto& [name, kid] : dir.kids) {
          if (!kid.visible) continue;
          std::string r = rel_join(rel, name);
          if (go_filepath_match(orig, r) == 1) out.push_back(legacy_single(word, r, p, true));
          if (kid.is_dir()) walk(kid, r);
        }
      };
      walk(tree_.root, "");
      if (out.size() == before) {
        warn(p, "empty-wildcard", word + " matches nothing; the classic builder fails unless another source matches");
      }
      excluded_matches(word, orig, p);
      return;
    }
    out.push_back(legacy_single(word, orig, p, false));
  }

  Source legacy_single(const std::string& word, const std::string& rel, CopyInstructionPlan& p, bool matched) {
    std::string joined = clean_path(rel.empty() ? "." : rel);
    if (joined == ".." || joined.rfind("../", 0) == 0) {
      throw Error(std::string(cmd_) + " failed: forbidden path outside the build context: " + word + " ()");
    }
    const Node* n = nullptr;
    std::vector<std::string> parts = resolve(tree_.root, joined == "." ? "" : joined, true, visible_nodes, &n);
    if (!n) {
      std::string rule;
      std::string why = why_missing(joined, &rule);
      if (!why.empty()) warn(p, rule.empty() ? "missing-source" : "excluded-source", why, rule);
      throw Error(std::string(cmd_) + " failed: file not found in build context or excluded by .dockerignore: stat " +
                  rel + ": file does not exist");
    }
    Source s;
    s.word = word;
    s.path = join_parts(parts, false);
    if (s.path == ".") s.path.clear();
    s.raw = joined == "." ? "" : joined;
    s.name = std::string(base_name(joined));
    s.node = n;
    s.flattened = matched && n->is_dir();
    return s;
  }

  // ADD --parents / COPY --parents (BuildKit): the source's directories up
  // from the root or the /./ pivot are kept under the destination.
  void plan_parents(const BuildStep& step, const std::string& dest_in, ImageTree& img, CopyInstructionPlan& p) {
    const CopyCommand& c = step.copy;
    std::string dest = dest_in.back() == '/' ? dest_in : dest_in + "/";
    img.mkdir_p(clean_path(dest), &p.entries);
    for (const auto& word : c.sources) {
      std::string norm = clean_path("/" + word);
      std::string root = "/", pattern = norm;
      std::string raw = "/" + word;
      size_t pivot = raw.find("/./");
      if (pivot != std::string::npos) {
        root = clean_path(raw.substr(0, pivot + 1));
        pattern = clean_path("/" + raw.substr(pivot + 3));
      }
      while (pattern.rfind("/", 0) == 0) pattern.erase(0, 1);
      if (pattern.empty()) pattern = ".";
      bool wild = contains_wildcards(root) || contains_wildcards(pattern);
      if (!wild) {
        const Node* n = nullptr;
        resolve(tree_.root, clean_path(root + "/" + pattern), true, visible_nodes, &n);
        if (!n || pattern == ".") {
          throw Error("failed to compute cache key: failed to calculate checksum of ref: \"" +
                      clean_path(root + "/" + pattern) + "\": not found");
        }
      }
      std::vector<Rule> rules = {Rule{pattern, "--parents", 0, pattern}};
      Matcher include(rules);
      std::vector<std::string> roots;
      if (contains_wildcards(root)) {
        std::function<void(const Node&, const std::string&)> walk = [&](const Node& dir, const std::string& rel) {
          for (const auto& [name, kid] : dir.kids) {
            if (!kid.visible) continue;
            std::string r = rel_join(rel, name);
            if (go_filepath_match(root.substr(1), r) == 1) {
              roots.push_back(r);
              continue;
            }
            if (kid.is_dir()) walk(kid, r);
          }
        };
        walk(tree_.root, "");
      } else {
        roots.push_back(root == "/" ? "" : root.substr(1));
      }
      for (const auto& r : roots) {
        const Node* n = nullptr;
        std::vector<std::string> parts = resolve(tree_.root, r, true, visible_nodes, &n);
        if (!n || !n->is_dir()) continue;
        CopyItem item;
        item.source = word;
        item.path = r.empty() ? "." : r;
        item.dest = dest;
        item.type = EntryType::kDir;
        item.first_entry = p.entries.size();
        copy_filtered(*n, join_parts(parts, false) == "." ? "" : join_parts(parts, false), clean_path(dest), &include,
                      c.excludes, img, p, item);
        item.entry_count = p.entries.size() - item.first_entry;
        p.items.push_back(item);
      }
    }
  }

  // A directory copy keeping only what `include` (relative to the copy's
  // root) matches, and dropping what `excludes` match; directories are
  // created only when something inside them is kept.
  void copy_filtered(const Node& dir, const std::string& src_rel, const std::string& dest, const Matcher* include,
                     const std::vector<std::string>& excludes, ImageTree& img, CopyInstructionPlan& p, CopyItem& item) {
    std::unique_ptr<Matcher> ex = exclude_matcher(excludes);
    std::function<void(const Node&, const std::string&)> walk = [&](const Node& d, const std::string& r) {
      for (const auto& [name, kid] : d.kids) {
        if (!kid.visible) continue;
        std::string kr = rel_join(r, name);
        bool kept = !include || include->matches_or_parents(kr).excluded;
        if (ex && ex->matches_or_parents(kr).excluded) {
          if (kid.is_dir() && ex->has_exceptions()) walk(kid, kr);
          continue;
        }
        if (kept) {
          std::string target = clean_path(dest + "/" + kr);
          img.mkdir_p(std::string(parent_path(target).empty() ? "/" : parent_path(target)), &p.entries);
          put_node(kid, rel_join(src_rel, kr), target, img, p, item, true, ex.get(), kr);
          continue;
        }
        if (kid.is_dir()) walk(kid, kr);
      }
    };
    walk(dir, "");
  }

  std::unique_ptr<Matcher> exclude_matcher(const std::vector<std::string>& excludes) {
    if (excludes.empty()) return nullptr;
    std::vector<Rule> rules;
    for (const auto& e : excludes) {
      IgnoreFile f = parse_ignore_file(e, "--exclude");
      for (auto& r : f.rules) rules.push_back(r);
    }
    return std::make_unique<Matcher>(rules);
  }

  // Copies one node (recursively for a directory) to `target`, following
  // the builder's rules for what is already there.
  void put_node(const Node& n, const std::string& src_rel, const std::string& target, ImageTree& img,
                CopyInstructionPlan& p, CopyItem& item, bool recurse, const Matcher* ex = nullptr,
                const std::string& ex_rel = "") {
    Node* existing = img.find(target);
    if (n.is_dir()) {
      if (existing && !existing->is_dir()) {
        if (!legacy()) throw Error("cannot copy to non-directory: " + target);
        existing = nullptr;
      }
      if (!existing) {
        Node d;
        d.type = FileType::kDirectory;
        d.origin = n.origin.empty() ? src_rel : n.origin;
        img.put(target, std::move(d));
        p.entries.push_back(CopyEntry{src_rel.empty() ? "." : src_rel, target, EntryType::kDir, 0, ""});
        ++item.dirs;
      }
      if (!recurse) return;
      for (const auto& [name, kid] : n.kids) {
        if (!kid.visible) continue;
        std::string kr = rel_join(ex_rel, name);
        if (ex) {
          Verdict v = ex->matches_or_parents(kr);
          if (v.excluded) {
            if (kid.is_dir() && ex->has_exceptions()) {
              copy_excluded_dir(kid, rel_join(src_rel, name), abs_join(target, name), img, p, item, ex, kr);
            }
            continue;
          }
        }
        put_node(kid, rel_join(src_rel, name), abs_join(target, name), img, p, item, true, ex, kr);
      }
      return;
    }
    if (existing && existing->is_dir()) {
      if (!legacy()) throw Error("cannot replace to directory " + target + " with file");
    }
    Node f;
    f.type = n.type == FileType::kSymlink ? FileType::kSymlink : FileType::kRegular;
    f.size = n.size;
    f.link = n.link;
    f.origin = n.origin.empty() ? src_rel : n.origin;  // a stage's file keeps its context origin
    img.put(target, std::move(f));
    EntryType t = n.type == FileType::kSymlink ? EntryType::kSymlink : EntryType::kFile;
    p.entries.push_back(CopyEntry{src_rel, target, t, t == EntryType::kFile ? n.size : 0, n.link});
    if (t == EntryType::kSymlink) {
      ++item.symlinks;
    } else {
      ++item.files;
      item.bytes += n.size;
    }
  }

  // An excluded directory an exception may reach into: created only if
  // something below is kept.
  void copy_excluded_dir(const Node& dir, const std::string& src_rel, const std::string& target, ImageTree& img,
                         CopyInstructionPlan& p, CopyItem& item, const Matcher* ex, const std::string& ex_rel) {
    for (const auto& [name, kid] : dir.kids) {
      if (!kid.visible) continue;
      std::string kr = rel_join(ex_rel, name);
      if (ex->matches_or_parents(kr).excluded) {
        if (kid.is_dir()) copy_excluded_dir(kid, rel_join(src_rel, name), abs_join(target, name), img, p, item, ex, kr);
        continue;
      }
      img.mkdir_p(target, &p.entries);
      put_node(kid, rel_join(src_rel, name), abs_join(target, name), img, p, item, true, ex, kr);
    }
  }

  void place(const Source& s, const CopyCommand& c, const std::string& dest, ImageTree& img, CopyInstructionPlan& p) {
    CopyItem item;
    item.source = s.word;
    item.path = s.heredoc ? s.word : s.remote ? s.word : (s.path.empty() ? "." : s.path);
    item.flattened = s.flattened;
    item.first_entry = p.entries.size();
    std::string clean_dest = clean_path(dest);

    // Local archives are extracted by ADD.
    std::vector<ArchiveEntry> archive;
    bool extract = c.add && !s.remote && !s.heredoc && s.node && s.node->type == FileType::kRegular &&
                   c.unpack.value_or(true) && is_archive(s, &archive);

    if (!legacy()) {
      if (dir_form(dest) || extract) {
        img.mkdir_p(clean_dest, &p.entries);
      } else {
        img.mkdir_p(std::string(parent_path(clean_dest).empty() ? "/" : parent_path(clean_dest)), &p.entries);
      }
    }
    std::string dst = img.resolved(clean_dest, true);
    Node* existing = img.find(dst);

    if (extract) {
      item.archive = true;
      item.type = EntryType::kDir;
      if (legacy()) img.mkdir_p(dst, &p.entries);
      item.dest = dst;
      for (const auto& e : archive) {
        std::string target = clean_path(dst + "/" + e.path);
        img.mkdir_p(std::string(parent_path(target)), &p.entries);
        Node n;
        n.type = e.type == EntryType::kDir       ? FileType::kDirectory
                 : e.type == EntryType::kSymlink ? FileType::kSymlink
                                                 : FileType::kRegular;
        n.size = e.size;
        n.link = e.link;
        std::string origin = s.path + ":" + e.path;
        if (n.is_dir()) {
          Node* there = img.find(target);
          if (there && there->is_dir()) continue;
        }
        put_node(n, origin, target, img, p, item, false);
      }
      finish_item(item, p);
      return;
    }

    if (s.git) {
      item.type = EntryType::kDir;
      item.dest = dst;
      img.mkdir_p(dst, &p.entries);
      warn(p, "remote-source", s.word + ": the repository's files are not known until the build fetches them");
      finish_item(item, p);
      return;
    }

    const bool src_dir = s.node && s.node->is_dir();
    if (src_dir) {
      item.type = EntryType::kDir;
      item.dest = dst;
      if (existing && !existing->is_dir()) {
        throw Error(legacy() ? "failed to copy files: failed to copy directory: mkdir " + dst + ": not a directory"
                             : "cannot copy to non-directory: " + dst);
      }
      if (legacy()) img.mkdir_p(dst, &p.entries);
      if (!existing && !legacy()) {
        Node d;
        d.type = FileType::kDirectory;
        d.origin = s.path;
        img.put(dst, std::move(d));
        p.entries.push_back(CopyEntry{s.path.empty() ? "." : s.path, dst, EntryType::kDir, 0, ""});
        ++item.dirs;
      }
      std::unique_ptr<Matcher> ex = legacy() ? nullptr : exclude_matcher(c.excludes);
      for (const auto& [name, kid] : s.node->kids) {
        if (!kid.visible) continue;
        if (ex) {
          if (ex->matches_or_parents(name).excluded) {
            if (kid.is_dir() && ex->has_exceptions()) {
              copy_excluded_dir(kid, rel_join(s.path, name), abs_join(dst, name), img, p, item, ex.get(), name);
            }
            continue;
          }
        }
        put_node(kid, rel_join(s.path, name), abs_join(dst, name), img, p, item, true, ex.get(), name);
      }
      if (s.flattened) {
        std::string example;
        for (const auto& [name, kid] : s.node->kids) {
          if (kid.visible) {
            example = " (" + rel_join(s.path, name) + " -> " + abs_join(dst, name) + ")";
            break;
          }
        }
        bool empty = item.files + item.symlinks + item.dirs == 0;
        warn(p, "flattened-dir",
             s.word + " matched directory " + s.path + "/: " +
                 (empty ? std::string("it is empty, so nothing is created for it")
                        : "its contents land in " + dst + example + ", not " +
                              abs_join(dst, std::string(base_name(s.path))) + "/; to keep the name: COPY " + s.path +
                              " " + abs_join(dst, std::string(base_name(s.path))) + "/"));
      } else if (!s.path.empty() && base_name(dst) != base_name(s.path) && !contains_wildcards(s.word)) {
        warn(p, "dir-contents",
             s.path + "/ is a directory: its contents are copied into " + dst +
                 ", the directory itself is not (write " + abs_join(dst, std::string(base_name(s.path))) +
                 "/ to keep its name)");
      }
      symlink_note(s, p);
      finish_item(item, p);
      return;
    }

    // A file (a heredoc, a download, or a file or symlink followed).
    bool into = legacy() ? (dir_form(dest) || (existing && existing->is_dir())) : (existing && existing->is_dir());
    std::string target = into ? abs_join(dst, s.name) : dst;
    if (!legacy() && !into && !existing && img.base_unknown && !dir_form(dest)) {
      warn(p, "dest-may-exist",
           "if the base image has a directory " + dst + ", the file lands at " + abs_join(dst, s.name) +
               " instead (add a trailing / to make it certain)");
    }
    if (legacy()) img.mkdir_p(std::string(parent_path(target).empty() ? "/" : parent_path(target)), &p.entries);
    if (!legacy() && into) img.mkdir_p(dst, &p.entries);
    item.dest = target;
    item.type = EntryType::kFile;
    Node f;
    if (s.heredoc) {
      f.type = FileType::kRegular;
      f.size = s.doc->content.size();
    } else if (s.remote) {
      f.type = FileType::kRegular;
    } else {
      f = *s.node;
      f.kids.clear();
      if (f.type == FileType::kSymlink) f.type = FileType::kRegular;
    }
    std::string origin = s.heredoc || s.remote ? s.word : s.path;
    put_node(f, origin, target, img, p, item, false);
    symlink_note(s, p);
    finish_item(item, p);
  }

  // A symlink source is followed: the copy carries the link's name and
  // the target's content.
  void symlink_note(const Source& s, CopyInstructionPlan& p) {
    if (!s.in_context || s.raw.empty() || s.raw == s.path) return;
    const Node* raw = explain_.raw(s.raw);
    if (!raw || raw->type != FileType::kSymlink) return;
    warn(p, "symlink-followed",
         s.raw + " is a symlink: BuildKit and the classic builder copy its target " +
             (s.path.empty() ? std::string(".") : s.path) + " under the name " +
             (s.name.empty() ? std::string(".") : s.name));
  }

  bool is_archive(const Source& s, std::vector<ArchiveEntry>* out) {
    if (s.node->size == 0) return false;
    // BuildKit decides on the path itself (a symlink is not extracted); the
    // classic builder on what it points to.
    if (!legacy()) {
      const Node* raw = explain_.raw(s.path);
      if (!raw || raw->type != FileType::kRegular) return false;
    }
    return read_archive(*ctx_.fs, components(s.path), out);
  }

  void finish_item(CopyItem& item, CopyInstructionPlan& p) {
    item.entry_count = p.entries.size() - item.first_entry;
    p.items.push_back(item);
  }

  // Diagnostics that need the whole instruction: collisions, dotfiles and
  // secret-prone files swept in by a broad source, and the cache key.
  void sweep_warnings(CopyInstructionPlan& p) {
    std::map<std::string, std::vector<std::string>> writers;
    std::vector<std::string> order;
    std::set<std::string> seen;
    for (const auto& e : p.entries) {
      if (e.src.empty()) continue;
      if (e.type != EntryType::kDir) {
        auto& w = writers[e.dest];
        if (w.empty()) order.push_back(e.dest);
        w.push_back(e.src);
        if (seen.insert(e.src).second) p.depends_on.push_back(e.src);
      }
    }
    for (const auto& d : order) {
      const auto& w = writers[d];
      if (w.size() < 2) continue;
      std::string list;
      for (size_t i = 0; i < w.size(); ++i) list += (i ? ", " : "") + quote_path(w[i]);
      warn(p, "collision",
           d + " is written " + std::to_string(w.size()) + " times (" + list + "); " + quote_path(w.back()) + " wins");
    }
    std::vector<std::string> dotfiles, secrets;
    std::string git_dir;
    for (const auto& item : p.items) {
      bool broad = item.type == EntryType::kDir || contains_wildcards(item.source);
      if (!broad || item.archive) continue;
      for (size_t i = item.first_entry; i < item.first_entry + item.entry_count; ++i) {
        const CopyEntry& e = p.entries[i];
        if (e.src.empty()) continue;
        std::string_view base = base_name(e.src);
        if (base == ".git" && e.type == EntryType::kDir && git_dir.empty()) git_dir = e.src;
        if (e.type == EntryType::kDir) continue;
        if (!base.empty() && base[0] == '.' && e.src.find("/.git/") == std::string::npos &&
            e.src.rfind(".git/", 0) != 0) {
          dotfiles.push_back(e.src);
        }
        std::string kind = secret_kind(e.src);
        if (!kind.empty()) secrets.push_back(e.src + " (" + kind + ")");
      }
    }
    auto list = [](const std::vector<std::string>& v) {
      std::string out;
      for (size_t i = 0; i < v.size() && i < 5; ++i) out += (i ? ", " : "") + quote_path(v[i]);
      if (v.size() > 5) out += " and " + std::to_string(v.size() - 5) + " more";
      return out;
    };
    if (!secrets.empty()) {
      warn(p, "secret",
           "secret-prone files copied into the image: " + list(secrets) +
               "; exclude them in .dockerignore or copy only what the image needs");
    }
    if (!git_dir.empty()) warn(p, "git-dir", git_dir + "/ (the repository history) is copied into the image");
    if (!dotfiles.empty()) {
      warn(p, "dotfiles",
           std::to_string(dotfiles.size()) + " dotfile" + (dotfiles.size() == 1 ? "" : "s") +
               " swept in (* and directory copies include them): " + list(dotfiles));
    }
  }

  // COPY --from: another stage or an image. A stage we model fully (FROM
  // scratch, no RUN) is expanded against its tree; otherwise the instruction
  // is shown as it is.
  void plan_from(const BuildStep& step, ImageTree& img, std::vector<ImageTree>& images, size_t stage,
                 CopyInstructionPlan& p) {
    int src = find_stage(b_, step.copy.from, stage);
    if (src < 0) {
      warn(p, "from-image", "copies from image " + step.copy.from + ", whose files are not known here");
      img.base_unknown = true;
      return;
    }
    ImageTree& from = images[static_cast<size_t>(src)];
    if (from.base_unknown || from.ran_commands) {
      warn(p, "from-stage",
           "copies from stage " + stage_label(static_cast<size_t>(src)) +
               ", whose files depend on its base image or RUN steps");
      img.base_unknown = true;
      return;
    }
    std::string dest = destination(step.copy.dest, step.workdir);
    try {
      for (const auto& word : step.copy.sources) {
        std::string norm = clean_path("/" + word);
        std::vector<std::string> matches;
        if (contains_wildcards(norm)) {
          std::vector<std::string> parts = components(norm), prefix, rest;
          for (const auto& part : parts) (rest.empty() && !contains_wildcards(part) ? prefix : rest).push_back(part);
          const Node* base = nullptr;
          std::vector<std::string> based = resolve(from.root, join_parts(prefix, true), true, all_nodes, &base);
          if (!base) throw Error("lstat " + join_parts(prefix, true) + ": no such file or directory");
          std::string pattern = join_parts(rest, false);
          std::function<void(const Node&, const std::string&)> walk = [&](const Node& d, const std::string& r) {
            for (const auto& [name, kid] : d.kids) {
              std::string kr = rel_join(r, name);
              if (go_filepath_match(pattern, kr) == 1) {
                matches.push_back(rel_join(join_parts(based, false) == "." ? "" : join_parts(based, false), kr));
                continue;
              }
              if (kid.is_dir()) walk(kid, kr);
            }
          };
          if (base->is_dir()) walk(*base, "");
          if (matches.empty() && legacy()) throw Error("COPY failed: no source files were specified");
        } else {
          matches.push_back(norm == "/" ? "" : norm.substr(1));
        }
        for (const auto& m : matches) {
          const Node* n = nullptr;
          std::vector<std::string> parts = resolve(from.root, m, true, all_nodes, &n);
          if (!n) {
            throw Error(legacy() ? "COPY failed: stat " + m + ": file does not exist"
                                 : "failed to compute cache key: failed to calculate checksum of ref: \"/" + m +
                                       "\": not found");
          }
          Source s;
          s.word = word;
          s.in_context = false;
          s.path = join_parts(parts, false) == "." ? "" : join_parts(parts, false);
          s.name = std::string(base_name(m));
          s.node = n;
          s.flattened = contains_wildcards(norm) && n->is_dir();
          from_place(s, step.copy, dest, img, p);
        }
      }
    } catch (const Error& e) {
      p.error = e.what();
      p.entries.clear();
      p.items.clear();
    }
  }

  void from_place(Source s, const CopyCommand& c, const std::string& dest, ImageTree& img, CopyInstructionPlan& p) {
    // The stage tree has no visibility flags set beyond the defaults.
    place(s, c, dest, img, p);
    for (auto& e : p.entries) {
      if (!e.src.empty() && e.src[0] != '/') e.src = "/" + (e.src == "." ? std::string() : e.src);
    }
  }

  // A broad COPY before a dependency install re-runs the install on every edit.
  void check_install_order(const DockerfileInstruction& inst, const std::vector<size_t>& copies) {
    std::string text = inst.original;
    for (const Ecosystem& eco : ecosystems()) {
      bool hit = false;
      for (const char* cmd : eco.commands) {
        if (text.find(cmd) != std::string::npos) hit = true;
      }
      if (!hit) continue;
      for (size_t idx : copies) {
        CopyInstructionPlan& cp = plan_.instructions[idx];
        if (cp.error || cp.depends_on.empty() || !cp.from.empty()) continue;
        bool broad = false;
        for (const auto& item : cp.items) broad |= item.type == EntryType::kDir || contains_wildcards(item.source);
        size_t others = 0;
        for (const auto& d : cp.depends_on) {
          bool manifest = false;
          for (const char* m : eco.manifests) manifest |= go_filepath_match(m, base_name(d)) == 1;
          if (!manifest) ++others;
        }
        if (!broad || others == 0) continue;
        std::vector<std::string> present;
        for (const auto& [name, kid] : tree_.root.kids) {
          if (!kid.visible || kid.is_dir()) continue;
          for (const char* m : eco.manifests) {
            if (go_filepath_match(m, name) == 1) {
              present.push_back(name);
              break;
            }
          }
        }
        std::string suggestion;
        if (!present.empty()) {
          suggestion = "copy the manifests first (COPY";
          for (const auto& m : present) suggestion += " " + m;
          suggestion += " ./), then " + std::string(trim_copy(text)) + ", then the rest";
        } else {
          suggestion = "copy only the dependency manifests before it";
        }
        CopyDiagnostic d{"cache-order",
                         "line " + std::to_string(cp.line) + " copies " + std::to_string(cp.depends_on.size()) +
                             " context files before the install step on line " + std::to_string(inst.line) +
                             ": editing any of them re-runs the install; " + suggestion,
                         ""};
        bool dup = false;
        for (const auto& w : cp.warnings) dup |= w.code == d.code;
        if (!dup) {
          cp.warnings.push_back(d);
          plan_.hints.push_back(d);
        }
      }
    }
  }

  void finish(std::vector<ImageTree>& images) {
    // Where the build fails, and what it never reaches.
    for (const auto& ip : plan_.instructions) {
      if (ip.runs && ip.error && (!plan_.fails_at || ip.line < *plan_.fails_at)) plan_.fails_at = ip.line;
    }
    if (plan_.fails_at) {
      for (auto& ip : plan_.instructions) {
        if (ip.line > *plan_.fails_at) ip.reached = false;
      }
    }
    if (b_.stages.empty()) return;
    plan_.target = stage_label(b_.target);
    ImageTree& img = images[b_.target];
    plan_.image_complete = !img.base_unknown && !img.ran_commands;
    std::function<void(const Node&, const std::string&)> walk = [&](const Node& d, const std::string& path) {
      for (const auto& [name, kid] : d.kids) {
        std::string p = abs_join(path, name);
        plan_.image.push_back(CopyEntry{kid.origin, p, entry_type(kid.type), kid.is_dir() ? 0 : kid.size, kid.link});
        if (kid.is_dir()) walk(kid, p);
      }
    };
    walk(img.root, "/");
  }

  BuildContext& ctx_;
  const Build& b_;
  CopyPlan plan_;
  ContextTree tree_;
  Explainer explain_{};
  std::string transfer_error_;
  const char* cmd_ = "COPY";
};

}  // namespace

CopyPlan plan_copies(BuildContext& ctx, const Build& build) { return Planner(ctx, build).run(); }

}  // namespace ctxpack
