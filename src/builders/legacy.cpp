// The classic builder (DOCKER_BUILDKIT=0): the docker CLI checks the
// context, tars it with go-archive's TarWithOptions and uploads it whole;
// the daemon untars it and runs COPY against everything it received.
#include <cstring>

#include "ctxpack/builders/builder.h"
#include "ctxpack/context/walk.h"
#include "ctxpack/copy/copy_rules.h"
#include "ctxpack/rules/matcher.h"
#include "ctxpack/support/error.h"
#include "ctxpack/support/filesystem.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

namespace {

bool is_permission_error(int err) { return err == EACCES || err == EPERM; }

// The docker CLI's ValidateContextDirectory: every directory it reaches
// must be readable, even an excluded one (it lists a directory before
// asking whether it is excluded), and every file it keeps must open.
class Validation {
 public:
  Validation(FileSystem& fs, const Matcher& matcher) : fs_(fs), matcher_(matcher) {}

  void run() {
    stack_.emplace_back(fs_, fs_.root());
    if (int err = read_dir_sorted(fs_, fs_.root(), false, &stack_.back().entries)) {
      throw Error(std::string("checking context: cannot read the context directory: ") + std::strerror(err));
    }
    while (!stack_.empty()) {
      Frame& f = stack_.back();
      if (f.next == f.entries.size()) {
        stack_.pop_back();
        continue;
      }
      const DirEntry& e = f.entries[f.next++];
      path_.resize(f.path_len);
      if (f.path_len) path_[f.path_len - 1] = '/';
      path_ += e.name;
      check(f.handle.get(), e);
    }
  }

 private:
  struct Frame {
    Frame(FileSystem& fs, FileSystem::Dir dir) : handle(fs, dir) {}
    DirHandle handle;
    std::vector<DirEntry> entries;
    size_t next = 0;
    size_t path_len = 0;
  };

  void check(FileSystem::Dir dir, const DirEntry& e) {
    const bool is_dir = e.info.type == FileType::kDirectory;
    bool excluded;
    try {
      excluded = matcher_.matches_or_parents(path_).excluded;
    } catch (const PatternError& err) {
      throw Error(std::string("checking context: ") + err.what());
    }
    if (excluded) {
      if (is_dir && is_permission_error(fs_.check_readable(dir, e.name))) fail_stat();
      return;
    }
    if (e.info.type == FileType::kSymlink || e.info.type == FileType::kFifo) return;
    if (!is_dir) {
      if (is_permission_error(fs_.check_readable(dir, e.name))) {
        throw Error("checking context: no permission to read from '" + path_ + "'");
      }
      return;
    }
    FileSystem::Dir sub;
    int err = fs_.open_dir(dir, e.name, &sub);
    if (!err) {
      stack_.emplace_back(fs_, sub);
      std::vector<DirEntry>& entries = stack_.back().entries;
      err = read_dir_sorted(fs_, sub, false, &entries);
      // filepath.Walk stats what it lists: a directory that can be listed
      // but not searched fails on its first entry.
      FileInfo probe;
      if (!err && !entries.empty() && is_permission_error(fs_.stat(sub, entries.front().name, &probe))) {
        path_ += "/" + entries.front().name;
        fail_stat();
      }
      if (err) stack_.pop_back();
    }
    if (is_permission_error(err)) fail_stat();
    if (err == ENOENT) throw Error("checking context: file ('" + path_ + "') not found or excluded by .dockerignore");
    if (err) throw Error("checking context: " + path_ + ": " + std::strerror(err));
    stack_.back().path_len = path_.size() + 1;
  }

  [[noreturn]] void fail_stat() const { throw Error("checking context: can't stat '" + path_ + "'"); }

  FileSystem& fs_;
  const Matcher& matcher_;
  std::vector<Frame> stack_;
  std::string path_;
};

class LegacyCopy : public CopyRules {
 public:
  bool uploads_selection() const override { return true; }
  // The daemon sees all it received, less what it deletes.
  void select_visible(ContextView& view, const Build& build) const override { select_selection(view, build); }

  void check_flags(const CopyCommand& c, CopyStep& step) const override {
    if (c.has_chmod) {
      throw Error(
          "the --chmod option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build "
          "images with BuildKit enabled");
    }
    const std::pair<const char*, bool> ignored[] = {
        {"link", c.link}, {"exclude", !c.excludes.empty()}, {"parents", c.parents}};
    for (const auto& [flag, used] : ignored) {
      if (used) {
        step.warn("ignored-flag", std::string("--") + flag +
                                      " is ignored by the classic builder (older engines reject it: unknown flag)");
      }
    }
  }

  bool skips_heredoc(const Heredoc& doc, CopyStep& step) const override {
    step.warn("heredoc-ignored", "the classic builder ignores heredoc <<" + doc.name + " (no file is written)");
    return true;
  }

  // Relative to WORKDIR unless absolute; a trailing "/" is kept.
  std::string destination(const std::string& d, const std::string& workdir) const override {
    if (!d.empty() && d[0] == '/') return d;
    std::string out = clean_path("/" + workdir + "/" + d);
    if (!d.empty() && d.back() == '/' && out != "/") out += "/";
    return out;
  }

  void expand(const std::string& word, CopyStep& step, std::vector<Source>& out) const override;
  // One "/" and one "./" stripped; a wildcard matched against the whole path.
  bool names(const std::string& word, std::string_view path) const override {
    std::string orig = word;
    if (orig.starts_with("/")) orig.erase(0, 1);
    if (orig.starts_with("./")) orig.erase(0, 2);
    if (contains_wildcards(orig)) return go_filepath_match(orig, path) == 1;
    const std::string joined = clean_path(orig.empty() ? "." : orig);
    return joined == "." || path == joined;
  }

  void check_sources(const CopyCommand& c, const std::string&, size_t count, bool, CopyStep& step) const override {
    if (count == 0) throw Error(std::string(step.command) + " failed: no source files were specified");
    if (count > 1 && (c.dest.empty() || c.dest.back() != '/')) {
      throw Error(std::string("When using ") + step.command +
                  " with more than one source file, the destination must be a directory and end with a /");
    }
  }

  Placement placement() const override {
    Placement p;
    p.replaces_on_conflict = true;
    p.extracts_through_symlinks = true;
    p.empty_wildcard_fails = true;
    return p;
  }
  std::string dir_onto_file_error(const std::string& dst) const override {
    return "failed to copy files: failed to copy directory: mkdir " + dst + ": not a directory";
  }
  std::string missing_in_stage(const std::string& path) const override {
    return "COPY failed: stat " + path + ": file does not exist";
  }

 private:
  Source single(const std::string& word, const std::string& rel, CopyStep& step, bool matched) const;
};

// One "/" and one "./" stripped; a wildcard matched against every path of
// the context (directories too, without descending into matches being
// skipped).
void LegacyCopy::expand(const std::string& word, CopyStep& step, std::vector<Source>& out) const {
  std::string orig = word;
  if (orig.starts_with("/")) orig.erase(0, 1);
  if (orig.starts_with("./")) orig.erase(0, 2);
  if (!contains_wildcards(orig)) {
    out.push_back(single(word, orig, step, false));
    return;
  }
  if (orig.size() > 1 && orig.back() == '/') {
    step.warn("trailing-slash-wildcard",
              word + " matches nothing in the classic builder: its walk never yields a trailing /");
  }
  size_t before = out.size();
  for_each_below(step.context.root, visible_nodes, [&](const Node&, const std::string& r) {
    if (go_filepath_match(orig, r) == 1) out.push_back(single(word, r, step, true));
    return true;
  });
  if (out.size() == before) {
    step.warn("empty-wildcard", word + " matches nothing; the classic builder fails unless another source matches");
  }
  step.context.warn_excluded_matches(word, orig, step);
}

Source LegacyCopy::single(const std::string& word, const std::string& rel, CopyStep& step, bool matched) const {
  const ContextView& view = step.context;
  std::string joined = clean_path(rel.empty() ? "." : rel);
  if (joined == ".." || joined.starts_with("../")) {
    throw Error(std::string(step.command) + " failed: forbidden path outside the build context: " + word + " ()");
  }
  const Node* n = nullptr;
  std::vector<std::string> parts = resolve(view.root, joined == "." ? "" : joined, true, visible_nodes, &n);
  if (!n) {
    std::optional<Rule> rule;
    std::string why = view.why_missing(joined, &rule);
    if (!why.empty()) step.warn(rule ? "excluded-source" : "missing-source", why, rule);
    throw Error(std::string(step.command) +
                " failed: file not found in build context or excluded by .dockerignore: stat " + rel +
                ": file does not exist");
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

class Legacy : public Builder {
 public:
  std::string_view id() const override { return "legacy"; }
  std::string_view title() const override { return "legacy"; }
  std::string_view subject() const override { return "the legacy builder"; }

  std::string find_ignore_file(Host& host, const std::string& context, const std::string&) const override {
    std::string root = join_path(context, ".dockerignore");
    return host.exists(root) ? root : std::string();
  }
  std::string_view ignore_file_lookup() const override { return "only the context's .dockerignore"; }

  // The CLI re-adds .dockerignore and the Dockerfile when its deprecated
  // single-ancestor check (TrimBuildFilesFromExcludes) finds them
  // excluded. That check can miss an exclusion; then the file is simply
  // not sent, exactly as with docker.
  std::vector<Rule> client_rules(const std::vector<Rule>& rules, const std::string& dockerfile) const override {
    std::vector<Rule> all = rules;
    std::vector<Rule> added;
    for (const std::string& name : {std::string(".dockerignore"), dockerfile}) {
      if (name.empty()) continue;
      bool excluded = false;
      try {
        excluded = Matcher(all).matches_one_parent(name).excluded;
      } catch (const PatternError&) {
        // The CLI ignores errors here; the walk reports them.
      }
      if (!excluded) continue;
      added.push_back(Rule{"!" + name, "", 0, "!" + name, RuleOrigin::kClient});
      all.push_back(added.back());
    }
    return added;
  }

  std::vector<std::string> always_sent(const std::string& dockerfile) const override {
    return {".dockerignore", dockerfile};
  }

  // The classic daemon deletes .dockerignore and the Dockerfile when the
  // ignore file excludes them: the same check that made the CLI re-add them.
  std::vector<std::string> deleted_after_upload(const Matcher& matcher) const override {
    std::vector<std::string> out;
    for (const Rule& r : matcher.rules()) {
      if (r.origin == RuleOrigin::kClient) out.push_back(r.pattern.substr(1));
    }
    return out;
  }

  ArchiveUnpacking archive_unpacking() const override {
    return ArchiveUnpacking{.stdin_dockerfile_in_context = true};
  }

  std::optional<GitContextRules> git_context() const override { return GitContextRules{.client_clones = true}; }

  // It walks into an excluded directory only when an exception's literal
  // text starts with its path.
  WalkRules walk_rules(const Matcher& matcher) const override {
    WalkRules w;
    w.prune = [&matcher](std::string_view dir) {
      return !matcher.has_exceptions() || !exception_reaches_into(matcher, dir, false);
    };
    w.send_sockets = false;
    w.prunes_reincluded = "it only enters those an exception's literal text starts with";
    return w;
  }

  void validate(FileSystem& fs, const Matcher& matcher) const override { Validation(fs, matcher).run(); }
  bool validates_excluded_directories() const override { return true; }

  PackRules pack_rules() const override { return PackRules{.hide_outside_dockerfile = true}; }

  bool runs_every_stage() const override { return true; }

  const CopyRules& copy_rules() const override { return copy_; }

 private:
  LegacyCopy copy_;
};

}  // namespace

const Builder& legacy_builder() {
  static const Legacy builder;
  return builder;
}

}  // namespace ctxpack
