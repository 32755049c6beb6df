// Tidy-ups of the ignore file: a rule whose every possible match a later
// rule decides is deleted (not one that only overlaps another in today's
// tree), a line holding a would-be comment is rewritten so the
// comment is one. Each is proposed only after it was tried: a deletion
// must leave the selection exactly as it is; a rewrite either leaves it so
// or, when the pattern that was hidden behind the comment now applies,
// must hold as any other exclusion does (verify.h).
#pragma once

#include <vector>

#include "ctxpack/report/finding.h"
#include "ctxpack/report/verify.h"

namespace ctxpack {

// Whether `f` is a finding a tidy-up may resolve.
bool is_tidy_up(const Finding& f);

// Gives each such finding its verified edit (Finding::fix), when one holds.
void propose_tidy_ups(std::vector<Finding>& findings, Verifier& verifier);

}  // namespace ctxpack
