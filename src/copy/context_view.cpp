#include "ctxpack/copy/context_view.h"

#include "ctxpack/context/walk.h"
#include "ctxpack/support/path.h"
#include "ctxpack/copy/copy_rules.h"
#include "ctxpack/output/format.h"
#include "ctxpack/pack/pack.h"
#include "ctxpack/rules/matcher.h"

namespace ctxpack {

namespace {

class TreeBuilder : public WalkVisitor {
 public:
  TreeBuilder(Node& root, FileSystem& fs) : root_(root), fs_(fs) {}

  void visit(const WalkEntry& e) override {
    std::vector<std::string> parts = path_components(e.path);
    Node* parent = &root_;
    for (size_t i = 0; i + 1 < parts.size(); ++i) parent = &parent->kids[parts[i]];
    Node& n = parent->kids[parts.back()];
    n.type = e.entry->info.type;
    n.size = e.entry->info.size;
    n.sent = e.sent && !e.pruned;
    n.rule = e.verdict.rule;
    if (n.type == FileType::kSymlink) fs_.read_link(e.dir, e.entry->name, &n.link);
  }
  void warning(const std::string&) override {}

 private:
  Node& root_;
  FileSystem& fs_;
};

Node* find(Node& root, const std::string& rel) {
  Node* n = &root;
  for (const auto& p : path_components(rel)) {
    auto it = n->kids.find(p);
    if (it == n->kids.end()) return nullptr;
    n = &it->second;
  }
  return n;
}

bool is_sent(const Node& n) { return n.sent; }

// Unpacking what a builder sent creates the parents of every entry (the
// classic tar leaves out an excluded directory whose file an exception
// re-includes; moby#37700), so each such directory is in the context,
// empty if its file is deleted later.
bool imply_parents(Node& n) {
  bool any = false;
  for (auto& [_, kid] : n.kids) any = imply_parents(kid) || any;
  if (any && n.is_dir()) n.sent = true;
  return n.sent;
}

}  // namespace

ContextView::ContextView(BuildContext& context) : ctx(context) {
  TreeBuilder tree(root, *ctx.fs);
  WalkOptions wo;
  wo.stat = true;
  wo.include_excluded = true;
  walk_context(ctx, wo, tree);
  imply_parents(root);
  for (const std::string& name : ctx.builder->deleted_after_upload(*ctx.matcher)) {
    if (Node* n = find(root, name)) n->removed = true;
  }
  // The classic client appends a line to the .dockerignore it sends when it
  // adds the Dockerfile itself (from stdin or outside the context): that
  // is the file COPY finds. The line's length does not depend on the
  // Dockerfile.
  if (ctx.builder->pack_rules().hide_outside_dockerfile && ctx.dockerfile_exists && ctx.dockerfile_rel.empty()) {
    Node* n = find(root, ".dockerignore");
    if (n && n->sent && n->type == FileType::kRegular) {
      n->size += dockerignore_suffix("").size();
      dockerignore_rewritten = true;
    }
  }
  sent = count(is_sent);
}

const Node* ContextView::raw(const std::string& rel) const { return lookup(root, path_components(rel), all_nodes); }

Totals ContextView::count(bool (*keep)(const Node&)) const {
  Totals t;
  for_each_below(root, all_nodes, [&](const Node& n, const std::string&) {
    if (keep(n)) {
      if (n.type == FileType::kRegular) {
        ++t.files;
        t.bytes += n.size;
      }
      ++t.entries;
    }
    return true;
  });
  return t;
}

std::string ContextView::why_missing(const std::string& rel, std::optional<Rule>* rule) const {
  std::vector<std::string> cur;
  const Node* n = &root;
  for (const auto& part : path_components(rel)) {
    cur.push_back(part);
    auto it = n->kids.find(part);
    if (it == n->kids.end()) return "";
    n = &it->second;
    std::string path = join_parts(cur, false);
    if (!n->sent) {
      if (n->rule) *rule = *n->rule;
      return path + " is excluded by " + (n->rule ? rule_reference(*n->rule) : std::string(".dockerignore"));
    }
    if (n->removed) return path + " is deleted by the classic daemon because .dockerignore excludes it";
    if (!n->visible) return path + " is not transferred: BuildKit sends only what the Dockerfile's sources match";
    if (n->type == FileType::kSymlink) {
      const std::string& target = n->link;
      return path + " is a symlink to " + target +
             (target.starts_with("/") || target.starts_with("..")
                  ? ", resolved inside the context, where it does not exist"
                  : ", which is not in the context");
    }
  }
  return "";
}

void ContextView::warn_excluded_matches(const std::string& word, const std::string& pattern, CopyStep& step) const {
  std::vector<std::string> hits;
  const Rule* rule = nullptr;
  for_each_below(root, all_nodes, [&](const Node& kid, const std::string& r) {
    bool m = go_filepath_match(pattern, r) == 1;
    if (m && !kid.sent) {
      hits.push_back(r);
      if (!rule) rule = kid.rule;
    }
    return !m || kid.sent;
  });
  if (hits.empty()) return;
  std::string list;
  for (size_t i = 0; i < hits.size() && i < 3; ++i) list += (i ? ", " : "") + quote_path(hits[i]);
  if (hits.size() > 3) list += " and " + std::to_string(hits.size() - 3) + " more";
  std::optional<Rule> cited;
  if (rule) cited = *rule;
  step.warn("excluded-match",
            word + " would also match " + list + ", excluded by " + (rule ? rule_reference(*rule) : ".dockerignore"),
            cited);
}

}  // namespace ctxpack
