// ctxpack fix: prints (or, with --write, makes) the verified changes to the
// ignore file, as a unified diff.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "atomic_output.h"
#include "commands.h"
#include "ctxpack/output/diff.h"
#include "ctxpack/output/format.h"
#include "ctxpack/output/json.h"
#include "ctxpack/report/fix.h"
#include "ctxpack/support/error.h"
#include "format_option.h"

namespace ctxpack::cli {

namespace {

struct FixFlags {
  ContextFlags ctx;
  BuildFlags build;
  bool write = false;
  bool allowlist = false;
  bool all_targets = false;
  std::string format = "text";
};

void write_file(const std::string& path, const std::string& content) {
  struct stat st {};
  const bool existed = ::stat(path.c_str(), &st) == 0;
  AtomicOutput out(path);
  // The file keeps its mode (a new one gets the usual one).
  if (existed) ::fchmod(out.fd(), st.st_mode & 07777);
  for (size_t done = 0; done < content.size();) {
    ssize_t n = ::write(out.fd(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("writing " + path + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  out.commit();
}

// What the whole change does, per builder, on stderr.
void summarize(const Fix& fix, bool written) {
  for (const std::string& n : fix.notes) warn(n);
  if (!fix.changed()) {
    std::fprintf(stderr, "ctxpack: %s: nothing to change\n", fix.file.c_str());
    return;
  }
  for (const FixCheck& c : fix.checks) {
    std::fprintf(stderr, "ctxpack: %s: %s sends %s and %s less%s\n", fix.file.c_str(),
                 std::string(c.builder->title()).c_str(), plural(c.result.files_saved, "file", "files").c_str(),
                 human_size(c.result.bytes_saved).c_str(),
                 c.result.copy_checked ? "; every COPY/ADD still finds its sources" : "");
  }
  std::fprintf(stderr, "ctxpack: %s %s\n", fix.file.c_str(),
               written ? "written" : "unchanged (--write applies the diff above)");
}

int run_fix(const FixFlags& flags) {
  ContextOptions context = flags.ctx.options();
  // Neither builder applies an ignore file to an archive, and a clone is
  // temporary: nothing to fix in either.
  if (context.archive) throw Error("fix: the context is an archive, to which no ignore file applies");
  if (context.git) throw Error("fix: the context is a git URL; run fix in a checkout of it");
  FixOptions options;
  options.build = flags.build.options();
  options.build.all_targets = flags.all_targets;
  options.allowlist = flags.allowlist;
  if (flags.ctx.builder == "all") {
    options.builders = builders();
    context.builder = builders().front();
  } else {
    options.builders = {context.builder};
  }
  const Fix fix = make_fix(context, options);
  const std::string diff = unified_diff(fix.file, fix.before, fix.after, fix.exists);
  bool written = false;
  if (flags.write && fix.changed()) {
    write_file(fix.file, fix.after);
    written = true;
  }
  if (flags.format == "json") {
    std::fputs(dump_document(fix_json(fix, diff, written)).c_str(), stdout);
  } else {
    std::fputs(diff.c_str(), stdout);
    std::fflush(stdout);
    summarize(fix, written);
  }
  return fix.changed() ? 1 : 0;
}

void register_fix(CLI::App& app, Runner& run) {
  auto flags = std::make_shared<FixFlags>();
  CLI::App* cmd = app.add_subcommand(
      "fix", "Print, as a diff, the tried changes to the ignore file (--write makes them); exit 1 if there are any");
  flags->ctx.allow_all = true;
  flags->ctx.add_to(*cmd);
  flags->build.add_to(*cmd);
  cmd->add_flag("--write", flags->write, "Write the changed ignore file (atomically, keeping its lines and endings)");
  cmd->add_flag("--allowlist", flags->allowlist,
                "Start from '*' and one exception per path the Dockerfile's COPY/ADD sources need");
  cmd->add_flag("--all-targets", flags->all_targets,
                "Every stage counts, whichever --target a build names (the allowlist covers them all)");
  add_format_options(*cmd, flags->format, {"text", "json"},
                     "Output: text (the diff, default), or json: one document (schema in the README)");
  cmd->callback([flags, &run] { run = [flags] { return run_fix(*flags); }; });
}

CommandRegistration registration{"fix", register_fix};

}  // namespace

}  // namespace ctxpack::cli
