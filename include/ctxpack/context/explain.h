// Why a path is or is not in the context: the rule that decided, whether
// it matched the path or a parent directory, and where the builder's walk
// overrides the rules (a directory it never walks into).
#pragma once

#include <string>
#include <string_view>

#include "ctxpack/context/context.h"
#include "ctxpack/rules/matcher.h"

namespace ctxpack {

struct Explanation {
  std::string path;       // cleaned, relative to the context
  bool excluded = false;  // what the build does with the path
  Verdict verdict;        // the rules' decision for the path itself
  std::string via;        // the parent directory the deciding rule matched ("" if the path itself)
  std::string note;       // where the walk decides differently, or what else is worth knowing
};

// Rules only, as Docker's MatchesOrParentMatches judges a path (used with
// --ignore-file, where paths need not exist). Throws PatternError.
Explanation explain_by_rules(const Matcher& matcher, std::string_view path);
// The same into `out`, reusing its storage (for many paths in a row).
void explain_by_rules(const Matcher& matcher, std::string_view path, Explanation& out);

// What the builder's walk does with `path` in `ctx`, whether or not it
// exists (a missing path is judged as a file). Throws PatternError.
Explanation explain_in_context(BuildContext& ctx, std::string_view path);

}  // namespace ctxpack
