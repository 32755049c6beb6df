#include "ctxpack/output/json.h"

#include <cstdio>

#include "ctxpack/output/format.h"

namespace ctxpack {

namespace {

Json or_null(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

std::string octal_mode(uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

Json tree_json(const TreeNode& n) {
  Json j{{"path", n.path}, {"bytes", n.bytes}, {"files", n.files}};
  Json kids = Json::array();
  for (const TreeNode& c : n.children) kids.push_back(tree_json(c));
  j["children"] = std::move(kids);
  j["more"] = n.more;
  j["more_bytes"] = n.more_bytes;
  return j;
}

Json sizes_json(const Report& r) {
  Json files = Json::array();
  for (const SizeEntry& e : r.largest_files) files.push_back(Json{{"path", e.path}, {"bytes", e.bytes}});
  Json dirs = Json::array();
  for (const SizeEntry& e : r.largest_dirs) {
    dirs.push_back(Json{{"path", e.path}, {"bytes", e.bytes}, {"files", e.files}});
  }
  Json exts = Json::array();
  for (const ExtensionTotal& e : r.extensions) {
    exts.push_back(Json{{"extension", e.extension}, {"files", e.files}, {"bytes", e.bytes}});
  }
  return Json{{"largest_files", std::move(files)},
              {"largest_dirs", std::move(dirs)},
              {"depth", r.depth},
              {"tree", tree_json(r.tree)},
              {"extensions", std::move(exts)}};
}

Json rules_json(const Report& r) {
  Json rules = Json::array();
  for (const RuleUse& u : r.rules) {
    rules.push_back(Json{{"file", rule_source(u.rule)},
                         {"line", u.rule.line},
                         {"pattern", u.rule.pattern},
                         {"exception", u.rule.pattern.starts_with("!")},
                         {"paths", u.paths},
                         {"files", u.files},
                         {"bytes", u.bytes}});
  }
  return rules;
}

Json fix_json(const IgnoreEdit& e) {
  return Json{{"file", e.file},
              {"line", e.line ? Json(*e.line) : Json(nullptr)},
              {"text", e.text ? Json(*e.text) : Json(nullptr)}};
}

Json findings_json(const Report& r) {
  Json findings = Json::array();
  for (const Finding& f : r.findings) {
    findings.push_back(Json{{"severity", std::string(severity_name(f.severity))},
                            {"code", f.code},
                            {"message", f.message},
                            {"path", or_null(f.path)},
                            {"rule", rule_json(f.rule ? &*f.rule : nullptr)},
                            {"fix", f.fix ? fix_json(*f.fix) : Json(nullptr)}});
  }
  return findings;
}

Json diagnostic_json(const CopyDiagnostic& d) {
  return Json{{"code", d.code},
              {"message", d.message},
              {"rule", rule_json(d.rule ? &*d.rule : nullptr)},
              {"severity", std::string(severity_name(d.severity))}};
}

Json copy_entry_json(const CopyEntry& e, const char* dest_key) {
  Json j{{"src", or_null(e.src)}, {dest_key, e.dest}, {"type", std::string(entry_type_name(e.type))}};
  if (e.type == EntryType::kSymlink) j["link"] = e.link;
  if (e.type == EntryType::kFile) j["size"] = e.size;
  return j;
}

Json instruction_json(const CopyInstructionPlan& ip) {
  Json entries = Json::array();
  for (const CopyEntry& e : ip.entries) entries.push_back(copy_entry_json(e, "dest"));
  Json warnings = Json::array();
  for (const CopyDiagnostic& d : ip.warnings) warnings.push_back(diagnostic_json(d));
  return Json{{"line", ip.line},
              {"stage", ip.stage},
              {"instruction", ip.instruction},
              {"from", or_null(ip.from)},
              {"runs", ip.runs},
              {"reached", ip.reached},
              {"error", ip.error ? Json(*ip.error) : Json(nullptr)},
              {"entries", std::move(entries)},
              {"warnings", std::move(warnings)},
              {"depends_on", ip.depends_on}};
}

}  // namespace

std::string dump_line(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n"; }

std::string dump_document(const Json& j) { return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n"; }

Json rule_json(const Rule* rule) { return rule ? Json(rule_reference(*rule)) : Json(nullptr); }

Json entry_json(const WalkEntry& e, const std::string& target) {
  const FileInfo& info = e.entry->info;
  Json j{{"path", std::string(e.path)},
         {"type", std::string(type_name(info.type))},
         {"mode", octal_mode(info.mode)},
         {"size", info.size}};
  if (info.type == FileType::kSymlink) j["target"] = target;
  j["rule"] = rule_json(e.verdict.rule);
  // BuildKit sends an excluded directory that keeps something inside.
  if (e.verdict.excluded) j["excluded_parent"] = true;
  return j;
}

Json explanation_json(const Explanation& ex, std::string_view given) {
  Json rule = nullptr;
  if (const Rule* r = ex.verdict.rule) {
    rule = Json{{"file", rule_source(*r)}, {"line", r->line}, {"pattern", r->pattern}, {"text", r->text}};
  }
  return Json{{"path", std::string(given)},
              {"verdict", ex.excluded ? "excluded" : "included"},
              {"rule", std::move(rule)},
              {"via_parent", or_null(ex.via)},
              {"note", or_null(ex.note)},
              {"context_path", ex.path}};
}

Json report_json(const Report& r, const std::vector<GateFailure>& failures) {
  Json j{{"context", r.context},
         {"builder", std::string(r.builder->id())},
         {"dockerfile", r.dockerfile},
         {"ignore_file", or_null(r.ignore_file)},
         {"files", r.files},
         {"dirs", r.dirs},
         {"symlinks", r.symlinks},
         {"others", r.others},
         {"bytes", r.bytes},
         {"tar_bytes", r.tar_bytes},
         {"excluded", Json{{"files", r.excluded_files}, {"bytes", r.excluded_bytes}}}};
  j.update(sizes_json(r));
  Json sugg = Json::array();
  for (const Suggestion& s : r.suggestions) {
    sugg.push_back(Json{{"rule", s.rule},
                        {"reason", s.reason},
                        {"files", s.files},
                        {"bytes", s.bytes},
                        {"example", s.example},
                        {"fix", fix_json(s.fix)},
                        {"copy_checked", s.copy_checked}});
  }
  j["suggestions"] = std::move(sugg);
  j["rules"] = rules_json(r);
  j["compared"] = r.compared;
  j["findings"] = findings_json(r);
  Json gates = Json::array();
  for (const GateFailure& g : failures) {
    gates.push_back(Json{{"limit", g.limit}, {"value", g.value}, {"threshold", g.threshold}, {"message", g.message}});
  }
  j["gate_failures"] = std::move(gates);
  j["warnings"] = r.warnings;
  return j;
}

Json copy_json(const CopyReport& report) {
  const CopyPlan& plan = report.plan;
  Json instructions = Json::array();
  for (const CopyInstructionPlan& ip : plan.instructions) instructions.push_back(instruction_json(ip));
  Json hints = Json::array();
  for (const CopyDiagnostic& d : plan.hints) hints.push_back(diagnostic_json(d));
  const BuilderMoves* legacy = report.moves_of(legacy_builder());
  const BuilderMoves* buildkit = report.moves_of(buildkit_builder());
  Json context{{"legacy_upload", legacy ? Json{{"files", legacy->sent.files},
                                               {"bytes", legacy->sent.bytes},
                                               {"tar_bytes", legacy->tar_bytes}}
                                        : Json(nullptr)},
               {"buildkit_transfer", buildkit ? Json{{"files", buildkit->transfer.files},
                                                     {"bytes", buildkit->transfer.bytes},
                                                     {"whole_context", buildkit->transfer_whole},
                                                     {"paths", buildkit->transfer_paths}}
                                              : Json(nullptr)},
               {"tar_bytes", report.moves_of(*plan.builder)->tar_bytes}};
  Json image = Json::array();
  for (const CopyEntry& e : plan.image) image.push_back(copy_entry_json(e, "path"));
  return Json{{"builder", std::string(plan.builder->id())},
              {"target", plan.target},
              {"instructions", std::move(instructions)},
              {"hints", std::move(hints)},
              {"fails_at", plan.fails_at ? Json(*plan.fails_at) : Json(nullptr)},
              {"context", std::move(context)},
              {"image", Json{{"complete", plan.image_complete}, {"entries", std::move(image)}}}};
}

Json fix_json(const Fix& fix, const std::string& diff, bool written) {
  Json changes = Json::array();
  for (const FixChange& c : fix.changes) {
    changes.push_back(Json{{"line", c.line ? Json(*c.line) : Json()},
                           {"old", c.line ? Json(c.old_text) : Json()},
                           {"text", c.text ? Json(*c.text) : Json()},
                           {"reason", c.reason},
                           {"files", c.files},
                           {"bytes", c.bytes}});
  }
  Json checks = Json::array();
  for (const FixCheck& c : fix.checks) {
    const Verified& v = c.result;
    checks.push_back(Json{{"builder", c.builder->id()},
                          {"holds", v.holds || !fix.changed()},
                          {"refusal", v.holds || !fix.changed() ? Json() : Json(v.refusal)},
                          {"files_saved", v.files_saved},
                          {"bytes_saved", v.bytes_saved},
                          {"copy_checked", v.copy_checked}});
  }
  return Json{{"file", fix.file},  {"exists", fix.exists}, {"changed", fix.changed()},
              {"allowlist", fix.allowlist}, {"changes", changes}, {"checks", checks},
              {"notes", fix.notes}, {"diff", diff},        {"written", written}};
}

}  // namespace ctxpack
