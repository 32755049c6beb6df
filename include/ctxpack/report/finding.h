// A finding about a build context: its severity, a stable code, one line
// of message, and the path or ignore-file rule it is about.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/rules/ignore_file.h"

namespace ctxpack {

enum class Severity { kInfo, kWarning, kError };

// "info", "warning", "error".
std::string_view severity_name(Severity s);
// The inverse; throws Error for anything else.
Severity parse_severity(std::string_view name);

struct Finding {
  Severity severity = Severity::kWarning;
  std::string code;          // stable, kebab-case (README lists them)
  std::string message;       // one line
  std::string path;          // the context path involved (directories end in '/'); "" if none
  std::optional<Rule> rule;  // the ignore-file rule involved
  bool about_rule = false;   // the rule is the subject (ignore-file lint); else the path is
  std::optional<IgnoreEdit> fix;  // a verified change that resolves it (verify.h), when there is one
};

// Every finding code, for documentation and tests.
struct FindingCode {
  const char* code;
  Severity severity;  // the usual severity (some codes vary with what was found)
  const char* summary;
};
const std::vector<FindingCode>& finding_codes();

// "a/b" or, for a directory, "a/b/": how findings name paths.
std::string display_path(std::string_view path, bool is_dir);

}  // namespace ctxpack
