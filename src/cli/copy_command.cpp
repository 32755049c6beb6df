// ctxpack copy: what every COPY/ADD puts where in the image, per builder.
#include <cstdio>
#include <map>

#include "commands.h"
#include "format_option.h"
#include "style.h"
#include "ctxpack/context/context.h"
#include "ctxpack/copy/copy_plan.h"
#include "ctxpack/dockerfile/dockerfile.h"
#include "ctxpack/support/error.h"
#include "ctxpack/output/format.h"
#include "ctxpack/output/json.h"
#include "ctxpack/pack/pack.h"
#include "ctxpack/support/path.h"
#include "ctxpack/context/walk.h"

namespace ctxpack::cli {

namespace {

struct CopyFlags {
  ContextFlags ctx;
  BuildFlags build;
  std::string format = "text";
};

// Up to this many entries an instruction's items are listed in full;
// beyond, each directory item is folded to its top-level children.
constexpr size_t kFullListing = 40;
constexpr size_t kFoldedLines = 20;

std::string counts(size_t files, size_t dirs, size_t links) {
  std::string out;
  auto add = [&](size_t n, const char* one, const char* many) {
    if (!n) return;
    if (!out.empty()) out += ", ";
    out += std::to_string(n) + " " + (n == 1 ? one : many);
  };
  add(files, "file", "files");
  add(dirs, "dir", "dirs");
  add(links, "symlink", "symlinks");
  return out.empty() ? "nothing" : out;
}

class TextPrinter {
 public:
  explicit TextPrinter(const std::string& dockerfile) : df_(dockerfile) { st_.on = use_color(stdout); }

  void print(const CopyReport& report) {
    const CopyPlan& plan = report.plan;
    for (const auto& ip : plan.instructions) instruction(ip);
    if (plan.instructions.empty()) std::printf("no COPY or ADD instructions\n\n");
    for (const auto& h : plan.hints) std::printf("%s %s\n", label("hint", h).c_str(), h.message.c_str());
    if (!plan.hints.empty()) std::printf("\n");
    std::printf("%s ", st_.bold("context:").c_str());
    if (const BuilderMoves* legacy = report.moves_of(legacy_builder())) {
      std::printf("legacy uploads %s (%s of files, tar %s); ", counts(legacy->sent.files, 0, 0).c_str(),
                  human_size(legacy->sent.bytes).c_str(), human_size(legacy->tar_bytes).c_str());
    }
    if (const BuilderMoves* buildkit = report.moves_of(buildkit_builder()); buildkit && buildkit->transfer_whole) {
      std::printf("BuildKit transfers the whole context (%s, %s) because a source is the context root; ",
                  counts(buildkit->transfer.files, 0, 0).c_str(), human_size(buildkit->transfer.bytes).c_str());
    } else if (buildkit) {
      std::printf("BuildKit transfers %s (%s) for %s; ", counts(buildkit->transfer.files, 0, 0).c_str(),
                  human_size(buildkit->transfer.bytes).c_str(),
                  plural(buildkit->transfer_paths.size(), "path", "paths").c_str());
    }
    if (const BuilderMoves* buildah = report.moves_of(buildah_builder())) {
      std::printf("Buildah reads %s (%s) from the directory itself; ", counts(buildah->sent.files, 0, 0).c_str(),
                  human_size(buildah->sent.bytes).c_str());
    }
    std::printf("ctxpack pack writes %s\n", human_size(report.moves_of(*plan.builder)->tar_bytes).c_str());
    const std::string builder(plan.builder->id());
    if (plan.fails_at) {
      std::printf("%s the %s build fails at line %zu\n", st_.bold("build:").c_str(), builder.c_str(), *plan.fails_at);
    } else {
      std::printf("%s every COPY/ADD the %s build runs succeeds\n", st_.bold("build:").c_str(), builder.c_str());
    }
  }

 private:
  void instruction(const CopyInstructionPlan& ip) {
    std::string head = df_ + ":" + std::to_string(ip.line);
    std::string stage = "[stage " + ip.stage + "]";
    std::printf("%s  %s  %s", st_.bold(head).c_str(), quote_line(ip.instruction).c_str(), st_.dim(stage).c_str());
    if (!ip.runs) std::printf("  %s", st_.dim("(stage not built)").c_str());
    if (!ip.reached) std::printf("  %s", st_.dim("(not reached: the build fails earlier)").c_str());
    std::printf("\n");
    if (!ip.from.empty() && ip.entries.empty() && !ip.error) {
      std::printf("  copies from %s (not the build context)\n", ip.from.c_str());
    }
    if (ip.error) std::printf("  %s %s\n", st_.red("error:").c_str(), ip.error->c_str());
    const bool full = ip.entries.size() <= kFullListing;
    for (const auto& item : ip.items) print_item(ip, item, full);
    if (!ip.error && ip.items.empty() && ip.from.empty()) std::printf("  (nothing is copied)\n");
    for (const auto& w : ip.warnings) std::printf("  %s %s\n", label(severity_name(w.severity), w).c_str(), w.message.c_str());
    if (!ip.depends_on.empty()) {
      std::string list;
      for (size_t i = 0; i < ip.depends_on.size() && i < 5; ++i) list += (i ? ", " : "") + quote_path(ip.depends_on[i]);
      if (ip.depends_on.size() > 5) list += ", ...";
      std::printf("  %s %s (%s)\n", st_.dim("cache: the layer depends on").c_str(),
                  plural(ip.depends_on.size(), "context file", "context files").c_str(), list.c_str());
    }
    std::printf("\n");
  }

  // "warning[collision]:", coloured by severity.
  std::string label(std::string_view kind, const CopyDiagnostic& d) const {
    const std::string text = std::string(kind) + "[" + d.code + "]:";
    switch (d.severity) {
      case Severity::kError:
        return st_.red(text);
      case Severity::kWarning:
        return st_.yellow(text);
      case Severity::kInfo:
        break;
    }
    return st_.dim(text);
  }

  static std::string quote_line(const std::string& s) {
    std::string out;
    for (char c : s) out += (c == '\n' ? ' ' : c);
    return out;
  }

  void print_item(const CopyInstructionPlan& ip, const CopyItem& item, bool full) {
    const std::string arrow = " -> ";
    if (item.type != EntryType::kDir) {
      std::printf("  %s%s%s\n", quote_path(item.path).c_str(), arrow.c_str(), quote_path(item.dest).c_str());
      return;
    }
    std::string label = item.path == "." ? "./" : item.path + "/";
    std::string note = counts(item.files, item.dirs, item.symlinks);
    if (item.flattened) note += ", flattened: the directory's contents, not the directory";
    if (item.archive) note += ", extracted archive";
    std::string dest = item.dest == "/" ? "/" : item.dest + "/";
    std::printf("  %s%s%s  (%s)\n", quote_path(label).c_str(), arrow.c_str(), quote_path(dest).c_str(), note.c_str());
    const size_t end = item.first_entry + item.entry_count;
    const std::string prefix = item.dest == "/" ? "/" : item.dest + "/";
    if (full) {
      for (size_t i = item.first_entry; i < end; ++i) {
        const CopyEntry& e = ip.entries[i];
        if (e.src.empty() || e.dest.compare(0, prefix.size(), prefix) != 0) continue;
        std::string rel = e.dest.substr(prefix.size());
        if (e.type == EntryType::kDir) rel += "/";
        if (e.type == EntryType::kSymlink) rel += " -> " + e.link;
        std::printf("      %s\n", quote_path(rel).c_str());
      }
      return;
    }
    // Folded: one line per top-level child, with what lies below it.
    struct Group {
      EntryType type = EntryType::kFile;
      size_t files = 0, dirs = 0, links = 0;
    };
    std::vector<std::string> order;
    std::map<std::string, Group> groups;
    for (size_t i = item.first_entry; i < end; ++i) {
      const CopyEntry& e = ip.entries[i];
      if (e.dest.compare(0, prefix.size(), prefix) != 0 || e.src.empty()) continue;
      std::string rel = e.dest.substr(prefix.size());
      std::string top = rel.substr(0, rel.find('/'));
      auto [it, fresh] = groups.try_emplace(top);
      if (fresh) order.push_back(top);
      if (rel == top) {
        it->second.type = e.type;
        if (e.type == EntryType::kDir) continue;
      }
      if (e.type == EntryType::kDir) ++it->second.dirs;
      if (e.type == EntryType::kFile) ++it->second.files;
      if (e.type == EntryType::kSymlink) ++it->second.links;
    }
    for (size_t k = 0; k < order.size() && k < kFoldedLines; ++k) {
      const Group& g = groups[order[k]];
      if (g.type == EntryType::kDir) {
        std::printf("      %s  (%s)\n", quote_path(order[k] + "/").c_str(), counts(g.files, g.dirs, g.links).c_str());
      } else {
        std::printf("      %s\n", quote_path(order[k]).c_str());
      }
    }
    if (order.size() > kFoldedLines) std::printf("      ... and %zu more\n", order.size() - kFoldedLines);
  }

  std::string df_;
  Style st_;
};

int run_copy(const CopyFlags& flags) {
  ContextOptions options = flags.ctx.options();
  BuildContext ctx = open_build_context(options);
  if (!ctx.dockerfile_exists) throw Error("cannot find Dockerfile " + ctx.dockerfile_path);
  const BuildOptions bo = flags.build.options();
  ParsedDockerfile parsed = parse_dockerfile(read_dockerfile(ctx).text, ctx.dockerfile_path);
  for (const auto& d : parsed.directives) {
    if (d.name == "syntax" && ctx.builder->runs_syntax_frontends()) {
      warn("# syntax=" + d.value + ": " + std::string(ctx.builder->subject()) +
           " runs that frontend image, whose rules may differ from the built-in ones");
    }
  }
  for (const auto& w : parsed.warnings) warn(ctx.dockerfile_path + ":" + w);
  CopyReport report = make_copy_report(ctx, options, parsed, bo);
  for (const auto& w : report.warnings) warn(w);
  if (flags.format == "json") {
    std::fputs(dump_line(copy_json(report)).c_str(), stdout);
  } else {
    TextPrinter(ctx.dockerfile_path).print(report);
  }
  return report.plan.fails_at ? 1 : 0;
}

void register_copy(CLI::App& app, Runner& run) {
  auto flags = std::make_shared<CopyFlags>();
  CLI::App* cmd = app.add_subcommand("copy", "Show where every COPY/ADD puts which context files, per builder");
  flags->ctx.add_to(*cmd);
  flags->build.add_to(*cmd);
  add_format_options(*cmd, flags->format, {"text", "json"}, "text (default), or json: one JSON document (schema in the README)");
  cmd->callback([flags, &run] { run = [flags] { return run_copy(*flags); }; });
}

CommandRegistration registration{"copy", register_copy};

}  // namespace

}  // namespace ctxpack::cli
