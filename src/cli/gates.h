// report's CI gates: --max-size, --max-files and --fail-on, and the line
// that says by how much a context fails each.
#pragma once

#include <cstdint>
#include <vector>

#include "ctxpack/output/json.h"
#include "ctxpack/report/report.h"

namespace ctxpack::cli {

struct Gates {
  bool max_size_set = false;
  uint64_t max_size = 0;  // compared with tar_bytes, what goes over the wire
  bool max_files_set = false;
  uint64_t max_files = 0;
  bool fail_on_set = false;
  Severity fail_on = Severity::kError;
};

std::vector<GateFailure> check_gates(const Report& report, const Gates& gates);

}  // namespace ctxpack::cli
