// BuildKit's context transfer (fsutil's filtered walk).
#include "ctxpack/context/walk.h"
#include "walk_support.h"

namespace ctxpack {

namespace {

bool buildkit_prune(const Matcher& matcher, std::string_view dir, bool prefix_only) {
  // With a wildcard in any exception, fsutil cannot rule anything out and
  // walks every excluded directory.
  if (!prefix_only) return false;
  return !matcher.has_exceptions() || !exception_reaches_into(matcher, dir, true);
}

constexpr detail::WalkPolicy kBuildKit{buildkit_prune, true, true, true, "buildkit"};

}  // namespace

void walk_buildkit(FileSystem& fs, const Matcher& matcher, const WalkOptions& options, WalkVisitor& visitor) {
  detail::walk_tree(fs, matcher, options, visitor, kBuildKit);
}

}  // namespace ctxpack
