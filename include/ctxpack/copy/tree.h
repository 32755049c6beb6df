// The file trees the COPY planner works on: the context as a builder lets
// COPY see it, and each stage's image as COPY/ADD and WORKDIR build it.
// One node type serves both, because `COPY --from` copies a stage's nodes
// with the same placement rules as context nodes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/copy/copy_plan.h"
#include "ctxpack/rules/ignore_file.h"
#include "ctxpack/support/filesystem.h"

namespace ctxpack {

// A file, directory or symlink. Children are kept in byte order, the
// order in which every builder walks a directory.
struct Node {
  FileType type = FileType::kDirectory;
  uint64_t size = 0;
  std::string link;  // symlink target
  // Context trees:
  bool sent = true;      // the builder's walk sends it
  bool removed = false;  // the daemon deletes it after receiving it
  bool visible = true;   // COPY can see it
  const Rule* rule = nullptr;  // the ignore rule that decided it
  // Image trees: where its content came from, and whether its type is a
  // guess (it was placed where the image may already hold a directory).
  std::string origin;
  bool uncertain = false;
  std::map<std::string, Node> kids;

  bool is_dir() const { return type == FileType::kDirectory; }
};

// The inverse: "/a/b" when absolute, "a/b" (or "." when empty) otherwise.
std::string join_parts(const std::vector<std::string>& parts, bool absolute);
// "dir/name", or "name" when dir is "" or ".".
std::string rel_join(const std::string& dir, const std::string& name);
// "/dir/name", without doubling the root's slash.
std::string abs_join(const std::string& dir, const std::string& name);
// Whether a COPY source has a Go filepath.Match wildcard (unescaped).
bool contains_wildcards(std::string_view s);
EntryType entry_type(FileType t);

// Which nodes a lookup may see.
using NodeFilter = bool (*)(const Node&);
bool all_nodes(const Node&);
bool visible_nodes(const Node&);

const Node* lookup(const Node& root, const std::vector<std::string>& parts, NodeFilter filter);

// Resolves `path` below `root`, following symlinks inside the tree and
// never above its root (Docker's scoped path resolution, BuildKit's
// RootPath). Returns the resolved components; the node there, if any,
// goes to *out. Throws Error on a symlink loop.
std::vector<std::string> resolve(const Node& root, std::string_view path, bool follow_final, NodeFilter filter,
                                 const Node** out);

// Calls `fn(node, relative path)` for every node below `dir` that
// `filter` lets through, in walk order; `fn` returns whether to descend
// into a directory it was given.
void for_each_below(const Node& dir, NodeFilter filter,
                    const std::function<bool(const Node&, const std::string&)>& fn);

// A stage's image.
class ImageTree {
 public:
  Node root;
  bool base_unknown = false;  // built on an image ctxpack cannot see (or from an unknown stage)
  bool ran_commands = false;  // a RUN changed it in ways ctxpack cannot see

  // Whether a path missing from the model may exist anyway.
  bool unknown() const { return base_unknown || ran_commands; }

  // mkdir -p; new directories are appended to `created`. Throws Error when
  // a component is certainly not a directory (one whose type was a guess
  // becomes one).
  void mkdir_p(const std::string& abs, std::vector<CopyEntry>* created);
  Node* find(const std::string& abs);
  // `abs` with symlinks followed inside the image.
  std::string resolved(const std::string& abs, bool follow_final) const;
  // Puts `node` at `abs` (whose parent exists), replacing what was there.
  void put(const std::string& abs, Node node);
};

}  // namespace ctxpack
