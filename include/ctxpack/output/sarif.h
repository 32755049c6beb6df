// `report` as SARIF 2.1.0, the format code scanning (GitHub, GitLab,
// editors) reads: one rule per finding code, one result per finding, each
// located in a file of the repository so that it lands on the line to fix.
#pragma once

#include <string>

#include "ctxpack/output/json.h"
#include "ctxpack/report/report.h"

namespace ctxpack {

struct SarifOptions {
  std::string tool_version;
  // Absolute; artifact URIs are relative to it (uriBaseId SRCROOT), as code
  // scanning resolves them from the repository root.
  std::string root;
  // Absolute; what names the report keeps relative (the ignore file, the
  // Dockerfile) are relative to.
  std::string working_directory;
};

Json report_sarif(const Report& report, const SarifOptions& options);

// The nearest directory at or above `dir` (absolute) holding .git, else
// `fallback`: where code scanning resolves a file's path from.
std::string repository_root(const std::string& dir, const std::string& fallback);

}  // namespace ctxpack
