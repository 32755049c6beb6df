// ctxpack ls: the context, entry by entry, in the order it is sent.
#include <cinttypes>
#include <cstdio>

#include "commands.h"
#include "format_option.h"
#include "ctxpack/output/format.h"
#include "ctxpack/output/json.h"
#include "ctxpack/context/walk.h"

namespace ctxpack::cli {

namespace {

struct LsFlags {
  ContextFlags ctx;
  bool long_format = false;
  std::string format = "text";
  bool null = false;
};

class Printer : public WalkVisitor {
 public:
  Printer(const LsFlags& flags, FileSystem& fs) : flags_(flags), fs_(fs) {}

  void visit(const WalkEntry& e) override {
    const FileInfo& info = e.entry->info;
    const bool is_dir = info.type == FileType::kDirectory;
    if (flags_.format == "json") {
      std::fputs(dump_line(entry_json(e, info.type == FileType::kSymlink ? link_target(e) : "")).c_str(), stdout);
      return;
    }
    std::string name(e.path);
    if (is_dir) name += '/';
    if (flags_.null) {
      std::fwrite(name.data(), 1, name.size(), stdout);
      std::fputc('\0', stdout);
      return;
    }
    if (flags_.long_format) {
      std::string size = is_dir ? "-" : std::to_string(info.size);
      // " -> " separates a symlink from its target, so a name or target
      // containing it is quoted.
      const bool is_link = info.type == FileType::kSymlink;
      std::string target = is_link ? link_target(e) : "";
      const bool ambiguous =
          is_link && (name.find(" -> ") != std::string::npos || target.find(" -> ") != std::string::npos);
      std::printf("%s %12s  %s", mode_string(info.type, info.mode).c_str(), size.c_str(),
                  quote_path(name, ambiguous).c_str());
      if (is_link) std::printf(" -> %s", quote_path(target, ambiguous).c_str());
      std::fputc('\n', stdout);
      return;
    }
    std::fputs(quote_path(name).c_str(), stdout);
    std::fputc('\n', stdout);
  }

  void warning(const std::string& message) override { warn(message); }

 private:
  std::string link_target(const WalkEntry& e) {
    std::string target;
    if (fs_.read_link(e.dir, e.entry->name, &target) != 0) return "";
    return target;
  }
  const LsFlags& flags_;
  FileSystem& fs_;
};

}  // namespace

namespace {

void register_ls(CLI::App& app, Runner& run) {
  auto flags = std::make_shared<LsFlags>();
  CLI::App* cmd = app.add_subcommand("ls", "List the context in the order it is sent (directories end in /)");
  flags->ctx.add_to(*cmd);
  cmd->add_flag("-l,--long", flags->long_format, "Show mode and size");
  add_format_options(*cmd, flags->format, {"text", "json"}, "text (default), or json: one JSON object per entry per line");
  cmd->add_flag("-0,--null", flags->null, "Separate entries with NUL, names raw");
  cmd->callback([flags, &run] {
    run = [flags] {
      BuildContext ctx = open_build_context(flags->ctx.options());
      WalkOptions options;
      options.stat = flags->long_format || flags->format == "json";
      check_context(ctx);
      Printer printer(*flags, *ctx.fs);
      walk_context(ctx, options, printer);
      return 0;
    };
  });
}

CommandRegistration registration{"ls", register_ls};

}  // namespace

}  // namespace ctxpack::cli
