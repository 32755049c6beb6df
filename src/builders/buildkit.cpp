// BuildKit, the default builder: the docker client sends the context with
// fsutil's filtered walk, and the Dockerfile frontend runs COPY against
// what it transferred.
#include <map>
#include <set>

#include "ctxpack/builders/builder.h"
#include "ctxpack/context/walk.h"
#include "ctxpack/copy/copy_rules.h"
#include "ctxpack/rules/matcher.h"
#include "ctxpack/support/error.h"
#include "ctxpack/support/filesystem.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

namespace {

// fsutil can rule an excluded directory out only when every exception,
// less a trailing "/**" or "/*", is free of wildcards; otherwise it walks
// every excluded directory.
bool exceptions_are_literal(const Matcher& matcher) {
  for (size_t i = 0; i < matcher.size(); ++i) {
    if (!matcher.is_exception(i)) continue;
    std::string_view p = matcher.pattern(i).text();
    if (p.ends_with("/**")) p.remove_suffix(3);
    if (p.ends_with("/*")) p.remove_suffix(2);
    if (p.find_first_of("*[]?^\\") != std::string_view::npos) return false;
  }
  return true;
}

class BuildKitCopy : public CopyRules {
 public:
  bool uploads_selection() const override { return false; }
  void select_visible(ContextView& view, const Build& build) const override;
  void check_flags(const CopyCommand&, CopyStep&) const override {}
  bool skips_heredoc(const Heredoc&, CopyStep&) const override { return false; }
  std::string destination(const std::string& dest, const std::string& workdir) const override;
  void expand(const std::string& word, CopyStep& step, std::vector<Source>& out) const override;
  // Cleaned ("../x" and "/x" are "x"); a wildcard matched below the
  // components before its first wildcard, at the depth of the rest.
  bool names(const std::string& word, std::string_view path) const override {
    const std::string norm = clean_path("/" + word);
    if (norm == "/") return true;
    if (!contains_wildcards(norm)) return path == std::string_view(norm).substr(1);
    std::vector<std::string> prefix, rest;
    for (const auto& part : path_components(norm)) {
      (rest.empty() && !contains_wildcards(part) ? prefix : rest).push_back(part);
    }
    const std::string base = join_parts(prefix, false);
    if (base != "." && (!path.starts_with(base) || path.size() <= base.size() || path[base.size()] != '/')) {
      return false;
    }
    const std::string_view below = base == "." ? path : path.substr(base.size() + 1);
    return go_filepath_match(join_parts(rest, false), below) == 1;
  }
  void check_sources(const CopyCommand&, const std::string& dest, size_t count, bool dest_may_be_dir,
                     CopyStep& step) const override {
    if (count <= 1 || dir_form(dest)) return;
    if (dest_may_be_dir) {
      step.warn("multi-source-dest", "several sources into " + dest +
                                         " without a trailing /: they go into it if the image holds a directory "
                                         "there (a RUN or the base image may have made it), else each overwrites "
                                         "the last; a trailing / makes it certain");
      step.plan.warnings.back().severity = Severity::kInfo;
      return;
    }
    step.warn("multi-source-dest", "several sources into " + dest +
                                       " without a trailing /: BuildKit does not refuse it; each source is "
                                       "copied in turn onto the same path (the classic builder refuses it)");
  }
  Placement placement() const override {
    Placement p;
    p.prepares_destination = true;
    p.honours_exclude = true;
    p.warns_dest_may_exist = true;
    p.fetches_git = true;
    p.supports_parents = true;
    return p;
  }
  std::string dir_onto_file_error(const std::string& dst) const override {
    return "cannot copy to non-directory: " + dst;
  }
  std::string missing_in_stage(const std::string& path) const override {
    return "failed to compute cache key: failed to calculate checksum of ref: \"/" + path + "\": not found";
  }

 private:
  void follow_links(const ContextView& view, const std::string& p, std::set<std::string>& out, int depth) const;
  std::vector<std::string> link_targets(const ContextView& view, const std::string& rel) const;
  void expand_wildcard(const std::string& word, const std::string& norm, CopyStep& step,
                       std::vector<Source>& out) const;
};

// What fsutil transfers: the named paths, symlinks on the way followed,
// or everything once one of them is the root.
void BuildKitCopy::select_visible(ContextView& view, const Build& build) const {
  bool any = false;
  std::set<std::string> paths = context_sources(build, &any);
  view.whole = paths.count("/") > 0;
  std::unique_ptr<Matcher> include;
  if (!view.whole && any) {
    std::set<std::string> followed;
    for (const auto& p : paths) follow_links(view, p.substr(1), followed, 0);
    std::vector<Rule> rules;
    for (const auto& p : followed) {
      view.paths.push_back(p);
      rules.push_back(Rule{p, "(FollowPaths)", 0, p});
    }
    try {
      include = std::make_unique<Matcher>(rules);
    } catch (const Error& e) {
      view.error = std::string("invalid includepatterns: ") + e.what();
    }
  }
  auto mark = [&](auto&& self, Node& n, const std::string& rel) -> bool {
    bool kid_transferred = false;
    for (auto& [name, kid] : n.kids) kid_transferred |= self(self, kid, rel_join(rel, name));
    const bool base = n.sent && !n.removed;
    bool t = false;
    if (view.whole) {
      t = base;
    } else if (include && view.error.empty()) {
      bool inc = false;
      try {
        inc = include->matches_or_parents(rel).excluded;
      } catch (const Error& e) {
        view.error = std::string("invalid includepatterns: ") + e.what();
      }
      t = base && (inc || kid_transferred);
    }
    n.visible = t;
    return t;
  };
  for (auto& [name, kid] : view.root.kids) mark(mark, kid, name);
  view.root.visible = true;
  view.visible = view.count(visible_nodes);
}

// fsutil's FollowLinks: each symlink met on the way to a path (wildcard
// components expanded against the disk) adds its target.
void BuildKitCopy::follow_links(const ContextView& view, const std::string& p, std::set<std::string>& out,
                                int depth) const {
  if (depth > 64) return;
  std::vector<std::string> parts = path_components(p);
  std::vector<std::string> cur;
  for (size_t i = 0; i < parts.size(); ++i) {
    cur.push_back(parts[i]);
    std::string rest;
    for (size_t k = i + 1; k < parts.size(); ++k) rest = rel_join(rest, parts[k]);
    std::string cur_path = join_parts(cur, false);
    std::vector<std::string> targets = link_targets(view, cur_path);
    if (!targets.empty()) {
      if (!out.insert(cur_path).second && rest.empty()) return;
      for (const auto& t : targets) {
        std::string next = clean_path(rest.empty() ? t : t + "/" + rest);
        while (next.starts_with("/")) next.erase(0, 1);
        if (next.empty()) next = ".";
        follow_links(view, next, out, depth + 1);
      }
      return;
    }
  }
  out.insert(p.empty() ? "." : p);
}

std::vector<std::string> BuildKitCopy::link_targets(const ContextView& view, const std::string& rel) const {
  std::vector<std::string> out;
  std::string_view base = base_name(rel);
  std::string dir(parent_path(rel));
  auto target_of = [&](const Node& n, const std::string& path) {
    std::string l = clean_path(n.link);
    if (!l.empty() && l[0] == '/') return l;
    return clean_path("/" + rel_join(std::string(parent_path(path)), l));
  };
  if (contains_wildcards(base)) {
    const Node* d = dir.empty() ? &view.root : view.raw(dir);
    if (!d || !d->is_dir()) return out;
    for (const auto& [name, kid] : d->kids) {
      if (kid.type == FileType::kSymlink && go_filepath_match(base, name) == 1) {
        out.push_back(target_of(kid, rel_join(dir, name)));
      }
    }
    return out;
  }
  const Node* n = view.raw(rel);
  if (n && n->type == FileType::kSymlink) out.push_back(target_of(*n, rel));
  return out;
}

// Absolute, relative to WORKDIR otherwise; a trailing "/" or "/." marks a
// directory.
std::string BuildKitCopy::destination(const std::string& d, const std::string& workdir) const {
  std::string req = (d.empty() || d == ".") ? "./" : d;
  std::string out = req[0] == '/' ? clean_path(req) : clean_path(workdir + "/" + req);
  if ((req.back() == '/' || req.ends_with("/.")) && out != "/") out += "/";
  return out;
}

// Sources are cleaned ("../x" and "/x" are "x"), wildcards split at the
// first component holding one, and a matched directory is not descended.
void BuildKitCopy::expand(const std::string& word, CopyStep& step, std::vector<Source>& out) const {
  const ContextView& view = step.context;
  std::string norm = clean_path("/" + word);
  if ((word.starts_with("..") || word.find("/../") != std::string::npos) && clean_path(word).starts_with("..")) {
    step.warn("parent-dir-source", word + " is read as " + norm.substr(1 == norm.size() ? 0 : 1) +
                                       " in the context: BuildKit drops the .. (the classic builder refuses it)");
  }
  if (contains_wildcards(norm)) {
    expand_wildcard(word, norm, step, out);
    return;
  }
  const Node* n = nullptr;
  std::vector<std::string> parts = resolve(view.root, norm, true, visible_nodes, &n);
  if (!n) {
    std::optional<Rule> rule;
    std::string why = view.why_missing(norm.substr(1), &rule);
    if (!why.empty()) step.warn(rule ? "excluded-source" : "missing-source", why, rule);
    // The checksum names the path it reached, symlinks followed.
    throw Error("failed to compute cache key: failed to calculate checksum of ref: \"" + join_parts(parts, true) +
                "\": not found");
  }
  Source s;
  s.word = word;
  s.raw = norm.substr(1);
  s.path = join_parts(parts, false);
  if (s.path == ".") s.path.clear();
  s.name = norm == "/" ? "" : std::string(base_name(norm));
  s.node = n;
  out.push_back(s);
}

void BuildKitCopy::expand_wildcard(const std::string& word, const std::string& norm, CopyStep& step,
                                   std::vector<Source>& out) const {
  const ContextView& view = step.context;
  if (word.size() > 1 && word.back() == '/') {
    step.warn("trailing-slash-wildcard",
              word + " also matches files: BuildKit ignores the trailing / (the classic builder matches nothing)");
  }
  std::vector<std::string> prefix, rest;
  for (const auto& part : path_components(norm)) (rest.empty() && !contains_wildcards(part) ? prefix : rest).push_back(part);
  const std::string pattern = join_parts(rest, false);
  const Node* base = nullptr;
  std::vector<std::string> based = resolve(view.root, join_parts(prefix, true), true, visible_nodes, &base);
  if (!base) {
    std::optional<Rule> rule;
    const std::string prefix_path = join_parts(prefix, false);
    std::string why = view.why_missing(prefix_path, &rule);
    if (why.empty() && view.raw(prefix_path)) {
      why = prefix_path +
            " exists but nothing in it matches, so BuildKit does not transfer it (the Docker 20.10 client still "
            "sent such a directory, and the build copied nothing)";
    }
    if (!why.empty()) step.warn(rule ? "excluded-source" : "missing-source", why, rule);
    throw Error("lstat " + join_parts(prefix, true) + ": no such file or directory");
  }
  std::string base_path = join_parts(based, false);
  if (base_path == ".") base_path.clear();
  size_t before = out.size();
  if (base->is_dir()) {
    for_each_below(*base, visible_nodes, [&](const Node&, const std::string& r) {
      if (go_filepath_match(pattern, r) != 1) return true;
      Source s;
      s.word = word;
      s.raw = rel_join(base_path, r);
      s.name = std::string(base_name(r));
      const Node* followed = nullptr;
      std::vector<std::string> real = resolve(view.root, s.raw, true, visible_nodes, &followed);
      if (!followed) throw Error("lstat /" + s.raw + ": no such file or directory");
      s.path = join_parts(real, false) == "." ? "" : join_parts(real, false);
      s.node = followed;
      s.flattened = followed->is_dir();
      out.push_back(s);
      return false;  // a matched directory is not walked into
    });
  }
  if (out.size() == before) {
    step.warn("empty-wildcard",
              word + " matches nothing: BuildKit copies nothing for it (the classic builder fails when no source "
                     "matches)");
  }
  view.warn_excluded_matches(word, norm.substr(1), step);
}

class BuildKit : public Builder {
 public:
  std::string_view id() const override { return "buildkit"; }
  std::string_view title() const override { return "BuildKit"; }
  std::string_view subject() const override { return "BuildKit"; }

  // `<Dockerfile>.dockerignore` beside the Dockerfile, when it exists,
  // replaces the context's .dockerignore entirely.
  std::string find_ignore_file(Host& host, const std::string& context, const std::string& dockerfile) const override {
    if (!dockerfile.empty() && host.exists(dockerfile + ".dockerignore")) return dockerfile + ".dockerignore";
    std::string root = join_path(context, ".dockerignore");
    return host.exists(root) ? root : std::string();
  }
  std::string_view ignore_file_lookup() const override {
    return "<Dockerfile>.dockerignore beside the Dockerfile, else the context's .dockerignore";
  }

  WalkRules walk_rules(const Matcher& matcher) const override {
    WalkRules w;
    const bool literal = exceptions_are_literal(matcher);
    w.prune = [&matcher, literal](std::string_view dir) {
      return literal && (!matcher.has_exceptions() || !exception_reaches_into(matcher, dir, true));
    };
    w.send_excluded_parents = true;
    w.tolerate_unreadable_excluded = true;
    w.send_sockets = true;
    return w;
  }

  PackRules pack_rules() const override { return PackRules{.add_excluded_dockerfile = true}; }

  // The platform arguments: the target from --platform (this machine's
  // otherwise), the build platform this machine's.
  std::map<std::string, std::string> automatic_args(std::string_view platform) const override {
    std::map<std::string, std::string> args;
    const Platform build = host_platform();
    const Platform target = platform.empty() ? build : parse_platform(platform);
    for (const auto& [prefix, p] : {std::pair{"TARGET", target}, std::pair{"BUILD", build}}) {
      args[std::string(prefix) + "PLATFORM"] = p.text();
      args[std::string(prefix) + "OS"] = p.os;
      args[std::string(prefix) + "ARCH"] = p.arch;
      args[std::string(prefix) + "VARIANT"] = p.variant;
    }
    return args;
  }

  // It solves only what the target needs.
  bool runs_every_stage() const override { return false; }

  // Measured on Debian's 20.10 daemon (tests/archive): FIFOs in a context
  // archive vanish and devices become empty files.
  ArchiveUnpacking archive_unpacking() const override {
    return ArchiveUnpacking{.special_files_as_files = true};
  }

  // Measured on Debian's 20.10 daemon (tests/git).
  std::optional<GitContextRules> git_context() const override {
    return GitContextRules{.client_clones = false, .supports_subdir = false};
  }
  bool runs_syntax_frontends() const override { return true; }

  const CopyRules& copy_rules() const override { return copy_; }

 private:
  BuildKitCopy copy_;
};

}  // namespace

const Builder& buildkit_builder() {
  static const BuildKit builder;
  return builder;
}

}  // namespace ctxpack
