#include "ctxpack/output/sarif.h"

#include <sys/stat.h>

#include <cctype>
#include <string_view>

#include "ctxpack/output/format.h"
#include "ctxpack/report/finding.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

namespace {

constexpr const char* kSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

const char* sarif_level(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "note";
  }
  return "none";
}

// RFC 3986: every byte but the unreserved ones and '/' is percent-encoded,
// so names with spaces, '#', '%' or bytes that are not UTF-8 stay one URI.
std::string uri_path(std::string_view path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

Json artifact(const std::string& absolute, const SarifOptions& o) {
  const std::string root = o.root == "/" ? "/" : o.root + "/";
  if (absolute.starts_with(root)) {
    return Json{{"uri", uri_path(absolute.substr(root.size()))}, {"uriBaseId", "SRCROOT"}};
  }
  return Json{{"uri", "file://" + uri_path(absolute)}};
}

std::string absolute_from(const std::string& path, const SarifOptions& o) {
  return clean_path(path.starts_with("/") ? path : join_path(o.working_directory, path));
}

// Where the fix goes, as for GitHub annotations: the line of the ignore
// file for a finding that involves a rule, else the path in the context,
// else the Dockerfile (a finding about the build as a whole).
Json location(const Finding& f, const Report& r, const SarifOptions& o) {
  Json physical;
  if (f.rule && f.rule->origin == RuleOrigin::kFile) {
    physical["artifactLocation"] = artifact(absolute_from(f.rule->file, o), o);
    if (f.rule->line > 0) physical["region"] = Json{{"startLine", f.rule->line}};
  } else if (!f.path.empty()) {
    physical["artifactLocation"] = artifact(join_path(r.context, f.path), o);
  } else if (!r.dockerfile.empty()) {
    physical["artifactLocation"] = artifact(absolute_from(r.dockerfile, o), o);
  } else {
    return nullptr;
  }
  return Json{{"physicalLocation", std::move(physical)}};
}

Json rules_json() {
  Json rules = Json::array();
  for (const FindingCode& c : finding_codes()) {
    rules.push_back(Json{{"id", c.code},
                         {"shortDescription", {{"text", c.summary}}},
                         {"fullDescription", {{"text", c.summary}}},
                         {"help", {{"text", std::string(c.summary) + ". See ctxpack(1) and the Findings table of "
                                                                       "the README for what to change."}}},
                         {"defaultConfiguration", {{"level", sarif_level(c.severity)}}}});
  }
  return rules;
}

Json result_json(const Finding& f, const Report& r, const SarifOptions& o) {
  size_t index = 0;
  while (index < finding_codes().size() && finding_codes()[index].code != f.code) ++index;
  std::string message = f.message;
  if (!f.about_rule && !f.path.empty()) message = f.path + ": " + message;
  if (f.rule) message += " [" + rule_reference(*f.rule) + "]";
  Json result{{"ruleId", f.code}};
  if (index < finding_codes().size()) result["ruleIndex"] = index;
  result["level"] = sarif_level(f.severity);
  result["message"] = Json{{"text", message}};
  Json where = location(f, r, o);
  result["locations"] = where.is_null() ? Json::array() : Json::array({std::move(where)});
  return result;
}

}  // namespace

Json report_sarif(const Report& report, const SarifOptions& options) {
  Json results = Json::array();
  for (const Finding& f : report.findings) results.push_back(result_json(f, report, options));
  const std::string root = options.root == "/" ? "/" : options.root + "/";
  Json driver{{"name", "ctxpack"},
              {"version", options.tool_version},
              {"semanticVersion", options.tool_version},
              {"rules", rules_json()}};
  Json run{{"tool", {{"driver", std::move(driver)}}},
           {"originalUriBaseIds", {{"SRCROOT", {{"uri", "file://" + uri_path(root)}}}}},
           {"results", std::move(results)}};
  return Json{{"$schema", kSchema}, {"version", "2.1.0"}, {"runs", Json::array({std::move(run)})}};
}

std::string repository_root(const std::string& dir, const std::string& fallback) {
  for (std::string d = clean_path(dir);; d = go_dir(d)) {
    struct stat st;
    if (::lstat(join_path(d, ".git").c_str(), &st) == 0) return d;
    if (d == "/") return fallback;
  }
}

}  // namespace ctxpack
