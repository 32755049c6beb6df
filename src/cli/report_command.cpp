// ctxpack report: what the context weighs, what is risky, what the ignore
// file gets wrong, and CI gates on all three.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "format_option.h"
#include "ctxpack/output/format.h"
#include "ctxpack/output/json.h"
#include "ctxpack/output/sarif.h"
#include "ctxpack/report/report.h"
#include "ctxpack/support/error.h"
#include "ctxpack/support/filesystem.h"
#include "ctxpack/support/path.h"
#include "gates.h"
#include "style.h"

namespace ctxpack::cli {

namespace {

struct ReportFlags {
  ContextFlags ctx;
  BuildFlags build;
  size_t top = 10;
  int depth = 2;
  std::string format = "text";
  std::string max_size;
  uint64_t max_files = 0;
  std::string fail_on;
  bool no_compare = false;
};

// --- text ------------------------------------------------------------------

std::string pad_left(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}
std::string pad_right(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

// Rows of right-aligned size and count columns, then a free text column.
struct Table {
  std::vector<std::vector<std::string>> rows;  // all columns but the last are right-aligned
  void print(const std::string& indent) const {
    if (rows.empty()) return;
    std::vector<size_t> width(rows.front().size(), 0);
    for (const auto& r : rows) {
      for (size_t i = 0; i + 1 < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    }
    for (const auto& r : rows) {
      std::string line = indent;
      for (size_t i = 0; i + 1 < r.size(); ++i) line += pad_left(r[i], width[i]) + "  ";
      line += r.back();
      while (!line.empty() && line.back() == ' ') line.pop_back();
      std::printf("%s\n", line.c_str());
    }
  }
};

void print_tree(const TreeNode& n, const std::string& prefix, bool last, bool root, Table& t) {
  std::string label =
      root ? "."
           : prefix + (last ? "└── " : "├── ") +
                 quote_path(std::string(base_name(std::string_view(n.path).substr(0, n.path.size() - 1)))) + "/";
  t.rows.push_back({human_size(n.bytes), plural(n.files, "file", "files"), label});
  const std::string child_prefix = root ? "" : prefix + (last ? "    " : "│   ");
  for (size_t i = 0; i < n.children.size(); ++i) {
    print_tree(n.children[i], child_prefix, i + 1 == n.children.size() && n.more == 0, false, t);
  }
  if (n.more > 0) {
    t.rows.push_back({human_size(n.more_bytes), "",
                      child_prefix + "└── (" + plural(n.more, "more directory", "more directories") + ")"});
  }
}

std::string severity_label(Severity s, const Style& style) {
  std::string name = pad_right(std::string(severity_name(s)), 7);
  switch (s) {
    case Severity::kError:
      return style.red(name);
    case Severity::kWarning:
      return style.yellow(name);
    case Severity::kInfo:
      return style.dim(name);
  }
  return name;
}

// The text report, section by section.
class TextReport {
 public:
  TextReport(const Report& r, const ReportFlags& flags) : r_(r), flags_(flags), st_{use_color(stdout)} {}

  void print() {
    context();
    largest();
    tree();
    extensions();
    savings();
    findings();
    if (!r_.compared && !flags_.no_compare) std::printf("\n%s\n", st_.dim("(not compared with the other builder)").c_str());
  }

 private:
  void heading(const std::string& s) const { std::printf("\n%s\n", st_.bold(s).c_str()); }

  void context() const {
    std::printf("%s %s\n", st_.bold("Context").c_str(), quote_path(r_.context).c_str());
    std::printf("  builder %s, Dockerfile %s, ignore file %s (%s)\n", std::string(r_.builder->title()).c_str(),
                quote_path(r_.dockerfile).c_str(), r_.ignore_file.empty() ? "none" : quote_path(r_.ignore_file).c_str(),
                plural(r_.rules.size(), "rule", "rules").c_str());
    Table totals;
    totals.rows.push_back({"sent", plural(r_.files, "file", "files"), plural(r_.dirs, "dir", "dirs"),
                           plural(r_.symlinks, "symlink", "symlinks"), plural(r_.others, "other", "others"),
                           human_size(r_.bytes), "content, " + human_size(r_.tar_bytes) + " tar"});
    totals.rows.push_back(
        {"excluded", plural(r_.excluded_files, "file", "files"), "", "", "", human_size(r_.excluded_bytes), ""});
    totals.print("  ");
  }

  void largest() const {
    if (!r_.largest_files.empty()) {
      heading("Largest files");
      Table t;
      for (const SizeEntry& e : r_.largest_files) t.rows.push_back({human_size(e.bytes), quote_path(e.path)});
      t.print("  ");
    }
    if (!r_.largest_dirs.empty()) {
      heading("Heaviest directories");
      Table t;
      for (const SizeEntry& e : r_.largest_dirs) {
        t.rows.push_back({human_size(e.bytes), plural(e.files, "file", "files"), quote_path(e.path)});
      }
      t.print("  ");
    }
  }

  void tree() const {
    if (r_.depth == 0 || r_.tree.files == 0) return;
    heading("Tree (depth " + std::to_string(r_.depth) + ")");
    Table t;
    print_tree(r_.tree, "", true, true, t);
    t.print("  ");
  }

  void extensions() const {
    if (r_.extensions.empty()) return;
    heading("By extension");
    Table t;
    const size_t top = flags_.top;
    for (size_t i = 0; i < r_.extensions.size() && i < top; ++i) {
      const ExtensionTotal& e = r_.extensions[i];
      t.rows.push_back({human_size(e.bytes), plural(e.files, "file", "files"),
                        e.extension.empty() ? "(none)" : quote_path(e.extension)});
    }
    if (r_.extensions.size() > top) {
      uint64_t bytes = 0, files = 0;
      for (size_t i = top; i < r_.extensions.size(); ++i) {
        bytes += r_.extensions[i].bytes;
        files += r_.extensions[i].files;
      }
      t.rows.push_back({human_size(bytes), plural(files, "file", "files"),
                        "(" + plural(r_.extensions.size() - top, "other extension", "other extensions") + ")"});
    }
    t.print("  ");
  }

  void savings() const {
    if (r_.suggestions.empty()) return;
    heading("Savings (line to add to " + (r_.ignore_file.empty() ? std::string(".dockerignore") : r_.ignore_file) +
            "; each tried: it saves what it says)");
    Table t;
    for (const Suggestion& s : r_.suggestions) {
      const std::string verified = s.copy_checked ? "no COPY source affected" : "no Dockerfile to check COPY against";
      t.rows.push_back({human_size(s.bytes), plural(s.files, "file", "files"),
                        pad_right(s.rule, 18) + "  " +
                            st_.dim(s.reason + ", e.g. " + quote_path(s.example) + "; " + verified)});
    }
    t.print("  ");
  }

  void findings() const {
    size_t counts[3] = {0, 0, 0};
    for (const Finding& f : r_.findings) ++counts[static_cast<int>(f.severity)];
    if (r_.findings.empty()) {
      heading("Findings: none");
      return;
    }
    heading("Findings (" + plural(counts[2], "error", "errors") + ", " + plural(counts[1], "warning", "warnings") +
            ", " + std::to_string(counts[0]) + " info)");
    size_t code_width = 0;
    for (const Finding& f : r_.findings) code_width = std::max(code_width, f.code.size());
    for (const Finding& f : r_.findings) {
      const bool by_path = !f.about_rule && !f.path.empty();
      const std::string rule = f.rule ? rule_reference(*f.rule) : "";
      std::string where = by_path ? quote_path(f.path) : rule;
      std::string line = "  " + severity_label(f.severity, st_) + "  " + pad_right(f.code, code_width) + "  " +
                         (where.empty() ? "" : where + ": ") + f.message;
      if (by_path && !rule.empty()) line += st_.dim(" [" + rule + "]");
      std::printf("%s\n", line.c_str());
    }
  }

  const Report& r_;
  const ReportFlags& flags_;
  const Style st_;
};

// --- GitHub workflow commands ---------------------------------------------------

std::string gh_escape(std::string_view s, bool property) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else if (property && c == ':')
      out += "%3A";
    else if (property && c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

void print_github(const Report& r, const ReportFlags& flags, const std::vector<GateFailure>& failures) {
  const std::string context = flags.ctx.context.empty() || flags.ctx.context == "." ? "" : flags.ctx.context;
  for (const Finding& f : r.findings) {
    const char* level = f.severity == Severity::kError     ? "error"
                        : f.severity == Severity::kWarning ? "warning"
                                                           : "notice";
    std::string props;
    // A rule of the ignore file has a file and line; one the client adds has neither.
    const bool in_file = f.rule && f.rule->origin == RuleOrigin::kFile;
    if (in_file) {
      props = "file=" + gh_escape(from_working_directory(f.rule->file), true);
      if (f.rule->line > 0) props += ",line=" + std::to_string(f.rule->line);
    } else if (!f.path.empty()) {
      props = "file=" + gh_escape(from_working_directory(join_path(context, f.path)), true);
    }
    props += std::string(props.empty() ? "" : ",") + "title=" + gh_escape("ctxpack " + f.code, true);
    std::string message = f.message;
    // The annotation sits on the rule's line when there is one (that is
    // where a fix goes), else on the path's file.
    if (!f.about_rule && !f.path.empty()) message = quote_path(f.path) + ": " + message;
    if (f.rule && !in_file) message += " [" + rule_reference(*f.rule) + "]";
    std::printf("::%s %s::%s\n", level, props.c_str(), gh_escape(message, false).c_str());
  }
  for (const GateFailure& g : failures) {
    std::printf("::error title=%s::%s\n", gh_escape("ctxpack --" + g.limit, true).c_str(),
                gh_escape(g.message, false).c_str());
  }
  std::printf("ctxpack report: %s, %s content, %s tar, %s\n", plural(r.files, "file", "files").c_str(),
              human_size(r.bytes).c_str(), human_size(r.tar_bytes).c_str(),
              plural(r.findings.size(), "finding", "findings").c_str());
}

SarifOptions sarif_options(const Report& r) {
  SarifOptions o;
  o.tool_version = CTXPACK_VERSION;
  o.working_directory = disk_host().real_path(".");
  o.root = repository_root(r.context, o.working_directory);
  return o;
}

void register_report(CLI::App& app, Runner& run) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* cmd =
      app.add_subcommand("report", "What the context weighs, what is risky, what the ignore file gets wrong");
  flags->ctx.add_to(*cmd);
  cmd->add_option("--top", flags->top, "How many largest files, directories and extensions to show (default 10)")
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--depth", flags->depth, "Depth of the directory tree (default 2)")->check(CLI::Range(0, 1000));
  add_format_options(*cmd, flags->format, {"text", "json", "github", "sarif"},
                     "text (default), json, github (workflow annotations) or sarif (SARIF 2.1.0 for code scanning)");
  cmd->add_option("--max-size", flags->max_size, "Fail (exit 1) when the context tar is larger (500MB, 1.5GiB...)");
  cmd->add_option("--max-files", flags->max_files, "Fail (exit 1) when more files are sent");
  cmd->add_option("--fail-on", flags->fail_on, "Fail (exit 1) on a finding of this severity or worse: warning or error")
      ->check(CLI::IsMember({"info", "warning", "error"}));
  cmd->add_flag("--no-compare", flags->no_compare, "Do not walk the other builders' selections to compare them");
  flags->build.add_to(*cmd);
  cmd->callback([flags, cmd, &run] {
    run = [flags, cmd] {
      Gates gates;
      if (!flags->max_size.empty()) {
        gates.max_size_set = true;
        gates.max_size = parse_size(flags->max_size);
      }
      if (cmd->count("--max-files")) {
        gates.max_files_set = true;
        gates.max_files = flags->max_files;
      }
      if (!flags->fail_on.empty()) {
        gates.fail_on_set = true;
        gates.fail_on = parse_severity(flags->fail_on);
      }
      ReportOptions options;
      options.top = flags->top;
      options.depth = flags->depth;
      options.compare_builders = !flags->no_compare;
      options.build = flags->build.options();
      Report report = make_report(flags->ctx.options(), options);
      for (const std::string& w : report.warnings) warn(w);
      std::vector<GateFailure> failures = check_gates(report, gates);
      if (flags->format == "json") {
        std::fputs(dump_document(report_json(report, failures)).c_str(), stdout);
      } else if (flags->format == "sarif") {
        std::fputs(dump_document(report_sarif(report, sarif_options(report))).c_str(), stdout);
      } else if (flags->format == "github") {
        print_github(report, *flags, failures);
      } else {
        TextReport(report, *flags).print();
      }
      std::fflush(stdout);
      for (const GateFailure& g : failures) std::fprintf(stderr, "ctxpack: %s\n", g.message.c_str());
      return failures.empty() ? 0 : 1;
    };
  });
}

CommandRegistration registration{"report", register_report};

}  // namespace

}  // namespace ctxpack::cli
