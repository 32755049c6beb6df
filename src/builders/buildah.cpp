// Buildah, and Podman, which builds with it (buildah build, podman build):
// there is no upload. COPY reads the context directory itself through
// containers/buildah's copier, which applies the ignore rules
// (containers/storage's pkg/fileutils) while it walks. Modelled on
// Debian's buildah 1.28.2; README.md, "Buildah and Podman", has the
// details and the tests that pin them.
#include <algorithm>

#include "ctxpack/builders/builder.h"
#include "ctxpack/copy/copy_rules.h"
#include "ctxpack/rules/matcher.h"
#include "ctxpack/support/error.h"
#include "ctxpack/support/filesystem.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

namespace {

// The copier enters an excluded directory when an exception's text plus
// "/" starts with the directory's path: a string prefix, not a path
// prefix, and wildcards are taken literally.
bool exception_text_starts_with(const Matcher& matcher, std::string_view dir) {
  for (size_t i = 0; i < matcher.size(); ++i) {
    if (matcher.is_exception(i) && (matcher.pattern(i).text() + "/").starts_with(dir)) return true;
  }
  return false;
}

// The context paths `norm` (clean, absolute) names, as Go's filepath.Glob
// finds them in the context directory: excluded paths too (the copier
// stats before it filters), each wildcard component matched against the
// listing of the directory reached so far, symlinks on the way followed
// inside the context; a path without wildcards only has to exist (lstat).
std::vector<std::string> glob(const ContextView& view, const std::string& norm) {
  std::vector<std::string> out;
  if (!contains_wildcards(norm)) {
    const Node* n = nullptr;
    resolve(view.root, norm, false, all_nodes, &n);
    if (n) out.push_back(norm == "/" ? "" : norm.substr(1));
    return out;
  }
  const std::vector<std::string> parts = path_components(norm);
  auto step = [&](auto&& self, const std::string& dir, size_t i) -> void {
    if (i == parts.size()) {
      out.push_back(dir);
      return;
    }
    const Node* d = nullptr;
    resolve(view.root, dir, true, all_nodes, &d);
    if (!d || !d->is_dir()) return;
    for (const auto& [name, kid] : d->kids) {
      if (go_filepath_match(parts[i], name) == 1) self(self, rel_join(dir, name), i + 1);
    }
  };
  step(step, "", 0);
  return out;
}

// containers/buildah's Add (add.go) and copier, 1.28: the sources are read
// from the context directory itself, chrooted there (".." and absolute
// symlinks stay inside it). Each source is first looked up among all the
// context's files; ignored items are dropped only while copying, so an
// ignored source fails with a message of its own.
class BuildahCopy : public CopyRules {
 public:
  bool uploads_selection() const override { return true; }
  void select_visible(ContextView& view, const Build& build) const override { select_selection(view, build); }

  // imagebuilder's dispatchers know no other flags.
  void check_flags(const CopyCommand& c, CopyStep&) const override {
    const bool docker_only = c.link || c.parents || !c.excludes.empty();
    if (!c.add && docker_only) {
      throw Error("COPY only supports the --chmod=<permissions> --chown=<uid:gid> and the --from=<image|stage> flags");
    }
    if (c.add && (docker_only || !c.checksum.empty() || c.keep_git_dir || c.unpack || !c.from.empty())) {
      throw Error("ADD only supports the --chmod=<permissions> and the --chown=<uid:gid> flag");
    }
  }

  // Buildah 1.28 has no heredocs: `<<EOF` is a file name like any other.
  bool skips_heredoc(const Heredoc& doc, CopyStep& step) const override {
    throw Error(under_context(step.context, "copier: stat: \"/<<" + doc.name + "\": no such file or directory"));
  }

  // Relative to WORKDIR, a trailing "/" kept; the working directory itself
  // is always taken as a directory.
  std::string destination(const std::string& d, const std::string& workdir) const override {
    if (!d.empty() && d[0] == '/') return d;
    std::string out = clean_path("/" + workdir + "/" + d);
    if (out != "/" && (d.empty() || d.back() == '/' || out == clean_path("/" + workdir))) out += "/";
    return out;
  }

  void expand(const std::string& word, CopyStep& step, std::vector<Source>& out) const override;

  // Cleaned inside the context; a wildcard matches one component each.
  bool names(const std::string& word, std::string_view path) const override {
    const std::string norm = clean_path("/" + word);
    if (norm == "/") return true;
    const std::string_view rel = std::string_view(norm).substr(1);
    return contains_wildcards(norm) ? go_filepath_match(rel, path) == 1 : path == rel;
  }

  void check_sources(const CopyCommand&, const std::string&, size_t, bool, CopyStep&) const override {}
  std::string check_expansion(const CopyCommand& c, const std::string& dest, const std::vector<Source>& sources,
                              ImageTree& img, CopyStep& step) const override;

  Placement placement() const override {
    Placement p;
    p.replaces_on_conflict = true;
    p.extracts_through_symlinks = true;
    p.empty_wildcard_fails = true;
    p.warns_dest_may_exist = true;
    return p;
  }
  std::string dir_onto_file_error(const std::string& dst) const override {
    return "destination " + dst + " already exists but is not a directory";
  }
  std::string missing_in_stage(const std::string& path) const override {
    return "copier: stat: \"/" + path + "\": no such file or directory";
  }

 private:
  static std::string under_context(const ContextView& view, const std::string& what) {
    return "checking on sources under \"" + view.ctx.dir + "\": " + what;
  }
  void copy_phase(const std::string& norm, const ContextView& view) const;
};

void BuildahCopy::expand(const std::string& word, CopyStep& step, std::vector<Source>& out) const {
  const ContextView& view = step.context;
  const std::string norm = clean_path("/" + word);
  const bool wildcard = contains_wildcards(norm);
  if (clean_path(word).starts_with("..")) {
    step.warn("parent-dir-source", word + " is read as " + (norm == "/" ? "." : norm.substr(1)) +
                                       " in the context: Buildah stays inside it (the classic builder refuses it)");
  }
  const std::vector<std::string> matches = glob(view, norm);
  if (matches.empty()) {
    if (!wildcard) {
      std::optional<Rule> rule;
      std::string why = view.why_missing(norm.substr(1), &rule);
      if (!why.empty()) step.warn("missing-source", why, rule);
      throw Error(under_context(view, "copier: stat: \"" + norm + "\": no such file or directory"));
    }
    step.warn("empty-wildcard", word + " matches nothing: Buildah skips it, and fails only when no source matches");
    return;
  }
  for (const std::string& m : matches) {
    const Node* raw = nullptr;
    resolve(view.root, m, false, all_nodes, &raw);
    const Node* n = nullptr;
    std::vector<std::string> parts = resolve(view.root, m, true, all_nodes, &n);
    if (!raw->visible || !n || !n->visible) {
      std::optional<Rule> rule;
      std::string why = view.why_missing(raw->visible ? join_parts(parts, false) : m, &rule);
      if (!why.empty() && !wildcard) step.warn(rule ? "excluded-source" : "missing-source", why, rule);
      continue;  // check_expansion says how the build fails if nothing is left
    }
    Source s;
    s.word = word;
    s.raw = m;
    s.path = join_parts(parts, false) == "." ? "" : join_parts(parts, false);
    s.name = std::string(base_name(m));
    s.node = n;
    s.flattened = wildcard && n->is_dir();
    out.push_back(s);
  }
  if (wildcard) view.warn_excluded_matches(word, norm.substr(1), step);
}

// The checks add.go makes once every source was found: all wildcards
// empty, the destination's type, then, source by source as it copies, a
// symlink it cannot follow and a source whose every item is ignored.
std::string BuildahCopy::check_expansion(const CopyCommand& c, const std::string& dest,
                                         const std::vector<Source>& sources, ImageTree& img, CopyStep& step) const {
  const ContextView& view = step.context;
  std::vector<std::string> local, quoted;
  for (size_t i = 0; i < c.sources.size(); ++i) {
    if ((c.add && is_remote_source(c.sources[i])) || (i < c.unknown_sources.size() && c.unknown_sources[i])) continue;
    local.push_back(clean_path("/" + c.sources[i]));
    quoted.push_back("\"" + local.back() + "\"");
  }
  if (!local.empty() && std::all_of(local.begin(), local.end(), [&](const std::string& norm) {
        return contains_wildcards(norm) && glob(view, norm).empty();
      })) {
    std::string list;
    for (const auto& q : quoted) list += (list.empty() ? "" : " ") + q;
    throw Error(under_context(view, "Rel: can't make  relative to " + view.ctx.dir + "; copier: stat: [" + list +
                                        "]: no such file or directory"));
  }
  // A single source decides by its first match, ignored or not.
  bool dir = c.sources.size() != 1 || dir_form(dest);
  if (c.sources.size() == 1 && local.size() == 1) {
    const std::vector<std::string> first = glob(view, local.front());
    const Node* n = nullptr;
    if (!first.empty()) resolve(view.root, first.front(), true, all_nodes, &n);
    dir = dir || (n && n->is_dir());
  }
  if (dir) {
    const Node* there = img.find(img.resolved(clean_path(dest), true));
    if (there && !there->is_dir() && !there->uncertain) throw Error(dir_onto_file_error(dest));
  }
  for (const std::string& norm : local) copy_phase(norm, view);
  if (!dir && sources.size() > 1) {
    const Node* there = img.find(img.resolved(clean_path(dest), true));
    if (!there || !there->is_dir()) {
      step.warn("multi-source-dest", c.sources.front() + " matches " + std::to_string(sources.size()) +
                                         " items and " + dest + " has no trailing /: Buildah writes each to " +
                                         dest + " in turn and only the last, " + sources.back().raw +
                                         ", remains; a trailing / copies them all into a directory");
    }
  }
  return dir ? (dir_form(dest) ? dest : dest + "/") : dest;
}

void BuildahCopy::copy_phase(const std::string& norm, const ContextView& view) const {
  const std::vector<std::string> matches = glob(view, norm);
  size_t copied = 0;
  for (const std::string& m : matches) {
    const Node* raw = nullptr;
    resolve(view.root, m, false, all_nodes, &raw);
    if (!raw->visible) continue;
    if (raw->type == FileType::kSymlink) {
      const Node* n = nullptr;
      const std::string reached = join_parts(resolve(view.root, m, true, all_nodes, &n), true);
      if (!n) {
        throw Error("copier: get: lstat \"/" + m + "\"(\"" + reached + "\"): lstat " + reached +
                    ": no such file or directory");
      }
      if (!n->visible) throw Error("copier: get: copied no items: no such file or directory");
    }
    ++copied;
  }
  if (copied || matches.empty()) return;
  std::string ignore;
  if (!view.ctx.ignore_file.empty()) {
    const std::string real = view.ctx.host->real_path(view.ctx.ignore_file);
    ignore = " using " + (real.empty() ? view.ctx.ignore_file : real);
  }
  throw Error("no items matching glob \"" + view.ctx.dir + norm + "\" copied (" + std::to_string(matches.size()) +
              " filtered out" + ignore + "): no such file or directory");
}

class Buildah : public Builder {
 public:
  std::string_view id() const override { return "buildah"; }
  std::string_view title() const override { return "Buildah"; }
  std::string_view subject() const override { return "Buildah"; }
  std::vector<std::string_view> aliases() const override { return {"podman"}; }

  // util.DiscoverContainerfile: no lower-case names.
  std::vector<std::string> dockerfile_names() const override { return {"Containerfile", "Dockerfile"}; }

  IgnoreFile read_ignore(InputFile& in, const std::string& name) const override {
    return read_imagebuilder_ignore(in, name);
  }

  // containers/storage's pkg/fileutils: `+`, `(` and `)` are regexp
  // operators, and every path is judged on its own.
  PatternSyntax pattern_syntax() const override { return PatternSyntax::kContainersStorage; }

  // parse.ContainerIgnoreFile: beside the Containerfile,
  // <name>.containerignore, overridden by <name>.dockerignore; otherwise
  // the context's .containerignore, then its .dockerignore.
  std::string find_ignore_file(Host& host, const std::string& context, const std::string& dockerfile) const override {
    std::string beside;
    for (const char* suffix : {".containerignore", ".dockerignore"}) {
      if (!dockerfile.empty() && host.exists(dockerfile + suffix)) beside = dockerfile + suffix;
    }
    if (!beside.empty()) return beside;
    for (const char* name : {".containerignore", ".dockerignore"}) {
      std::string root = join_path(context, name);
      if (host.exists(root)) return root;
    }
    return {};
  }

  std::string_view ignore_file_lookup() const override {
    return "<Containerfile>.dockerignore or .containerignore beside the Containerfile, else the context's "
           ".containerignore, else its .dockerignore";
  }

  WalkRules walk_rules(const Matcher& matcher) const override {
    WalkRules w;
    w.prune = [&matcher](std::string_view dir) {
      return !matcher.has_exceptions() || !exception_text_starts_with(matcher, dir);
    };
    // The copier skips sockets with a warning.
    w.send_sockets = false;
    w.prunes_reincluded = "it only enters those whose path begins an exception's text";
    return w;
  }

  // NewPatternMatcher is built before the copier reads anything, and the
  // walk matches every path against every pattern, so a pattern Go's
  // regexp rejects fails the COPY whatever the context holds.
  void validate(FileSystem&, const Matcher& matcher) const override {
    for (size_t i = 0; i < matcher.size(); ++i) {
      if (matcher.pattern(i).kind() == Pattern::Kind::kInvalid) throw PatternError(matcher.rule(i));
    }
  }

  // `buildah build - < ctx.tar` untars the context and reads the
  // Containerfile from it whatever the ignore file says.
  PackRules pack_rules() const override { return PackRules{.add_excluded_dockerfile = true}; }

  // Unused stages are skipped (--skip-unused-stages defaults to true).
  bool runs_every_stage() const override { return false; }

  // `buildah build - < ctx.tar` untars stdin into a temporary directory
  // (containers/storage's chrootarchive, Docker's unpacking) and builds it
  // as any directory; stdin that is no tar becomes its Dockerfile
  // (define.TempDirForURL, stdinToDirectory).
  ArchiveUnpacking archive_unpacking() const override {
    return ArchiveUnpacking{.stdin_dockerfile_in_context = true, .as_directory = true};
  }

  // The same function clones a git URL (cloneToDirectory: init, fetch
  // --depth=1, checkout) and builds the checkout as a directory, .git and
  // the ignore file included.
  std::optional<GitContextRules> git_context() const override {
    return GitContextRules{
        .client_clones = true,
        .head_by_default = true,
        .fetch_head_fallback = false,
        .submodules = false,
        .scp_and_github_urls = false};
  }

  const CopyRules& copy_rules() const override { return copy_; }

 private:
  BuildahCopy copy_;
};

}  // namespace

const Builder& buildah_builder() {
  static const Buildah builder;
  return builder;
}

}  // namespace ctxpack
