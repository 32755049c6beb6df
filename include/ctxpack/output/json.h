// Every command's --json output, written one way (nlohmann's ordered
// JSON, keys in the order the README documents). Names that are not UTF-8
// cannot be carried by JSON: their bad bytes become U+FFFD (dump()).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ctxpack/context/explain.h"
#include "ctxpack/context/walk.h"
#include "ctxpack/copy/copy_plan.h"
#include "ctxpack/report/fix.h"
#include "ctxpack/report/report.h"

namespace ctxpack {

using Json = nlohmann::ordered_json;

// One line of text: compact, invalid UTF-8 replaced, a newline at the end.
std::string dump_line(const Json& j);
// A document: indented by two, invalid UTF-8 replaced, a newline at the end.
std::string dump_document(const Json& j);

// A rule as "FILE:LINE:TEXT" (rule_reference), or null.
Json rule_json(const Rule* rule);

// `ls --json`: one walked entry. `target` is a symlink's target.
Json entry_json(const WalkEntry& e, const std::string& target);

// `why --json`: one judged path, `given` as the user wrote it.
Json explanation_json(const Explanation& ex, std::string_view given);

// A limit `report` was asked to hold, and by how much the context fails it.
struct GateFailure {
  std::string limit;  // "max-size", "max-files", "fail-on"
  uint64_t value = 0;
  uint64_t threshold = 0;
  std::string message;  // one line: which limit and by how much
};

// `report --json`.
Json report_json(const Report& report, const std::vector<GateFailure>& failures);

// `copy --json`.
Json copy_json(const CopyReport& report);

// `fix --json`: the changes, the diff (made by the caller) and the checks.
Json fix_json(const Fix& fix, const std::string& diff, bool written);

}  // namespace ctxpack
