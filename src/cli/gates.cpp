#include "gates.h"

#include "ctxpack/output/format.h"

namespace ctxpack::cli {

std::vector<GateFailure> check_gates(const Report& report, const Gates& gates) {
  std::vector<GateFailure> out;
  if (gates.max_size_set && report.tar_bytes > gates.max_size) {
    out.push_back(GateFailure{"max-size", report.tar_bytes, gates.max_size,
                              "context tar is " + human_size(report.tar_bytes) + " (" +
                                  std::to_string(report.tar_bytes) + " bytes), over --max-size " +
                                  human_size(gates.max_size) + " by " + human_size(report.tar_bytes - gates.max_size) +
                                  " (" + std::to_string(report.tar_bytes - gates.max_size) + " bytes)"});
  }
  if (gates.max_files_set && report.files > gates.max_files) {
    out.push_back(GateFailure{"max-files", report.files, gates.max_files,
                              "context has " + std::to_string(report.files) + " files, over --max-files " +
                                  std::to_string(gates.max_files) + " by " +
                                  std::to_string(report.files - gates.max_files)});
  }
  if (gates.fail_on_set) {
    uint64_t n = 0;
    for (const Finding& f : report.findings) n += f.severity >= gates.fail_on;
    if (n > 0) {
      out.push_back(GateFailure{"fail-on", n, 0,
                                std::to_string(n) + " finding" + (n == 1 ? "" : "s") + " at or above --fail-on " +
                                    std::string(severity_name(gates.fail_on))});
    }
  }
  return out;
}

}  // namespace ctxpack::cli
