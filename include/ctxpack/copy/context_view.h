// What the build context offers to COPY and ADD: the builder's walk as a
// tree, with what the daemon deletes after receiving it and what the
// builder lets COPY see (which its CopyRules decide).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ctxpack/context/context.h"
#include "ctxpack/copy/tree.h"

namespace ctxpack {

struct CopyStep;

class ContextView {
 public:
  // Walks all of `ctx`, sent or not. Throws Error where the builder's
  // client refuses the context.
  explicit ContextView(BuildContext& ctx);

  BuildContext& ctx;
  Node root;
  Totals sent;  // everything the builder's walk sends
  // What the builder lets COPY see (CopyRules::select_visible sets these
  // and Node::visible): BuildKit transfers only what the sources name.
  Totals visible;
  bool whole = false;               // some source is the context root
  std::vector<std::string> paths;   // BuildKit's FollowPaths, when not whole
  std::string error;                // the transfer itself fails (every COPY of the context fails with it)
  bool dockerignore_rewritten = false;  // the client appended a line to the .dockerignore it sent

  // The node at `rel` whether or not COPY can see it.
  const Node* raw(const std::string& rel) const;
  // The nodes `keep` lets through, counted.
  Totals count(bool (*keep)(const Node&)) const;
  // Why context path `rel` is not visible, as one clause ("" when it
  // simply does not exist); `rule` receives the ignore rule involved.
  std::string why_missing(const std::string& rel, std::optional<Rule>* rule) const;
  // Warns when wildcard `word` (as `pattern`, relative to the context)
  // would also match paths the ignore file keeps out.
  void warn_excluded_matches(const std::string& word, const std::string& pattern, CopyStep& step) const;
};

}  // namespace ctxpack
