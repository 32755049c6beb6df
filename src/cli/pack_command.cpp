// ctxpack pack: the context as the tar `docker build -` reads.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <optional>

#include "atomic_output.h"
#include "commands.h"
#include "ctxpack/support/error.h"
#include "ctxpack/output/format.h"
#include "ctxpack/pack/pack.h"
#include "ctxpack/context/walk.h"

namespace ctxpack::cli {

namespace {

// Exit status when the tar was written but files changed while being
// packed (see README).
constexpr int kExitContextChanged = 3;

struct PackFlags {
  ContextFlags ctx;
  std::string output;
  std::string compress = "none";
  int level = -1;
  unsigned jobs = 0;  // 0: one per core
  bool reproducible = false;
  bool no_dockerfile = false;
  bool quiet = false;
};

Compression parse_compression(const std::string& name) {
  if (name == "none") return Compression::kNone;
  if (name == "gzip") return Compression::kGzip;
  if (name == "bzip2") return Compression::kBzip2;
  if (name == "xz") return Compression::kXz;
  if (name == "zstd") return Compression::kZstd;
  throw Error("unknown compression \"" + name + "\" (none, gzip, bzip2, xz or zstd)");
}

// -1 is the compressor's default level.
void check_level(Compression c, int level) {
  if (level == -1) return;
  if (c == Compression::kNone) throw Error("--level needs --compress gzip, bzip2, xz or zstd");
  const LevelRange r = compression_levels(c);
  if (level < r.lowest || level > r.highest) {
    throw Error("--level " + std::to_string(level) + " is out of range for " + compression_name(c) + " (" +
                std::to_string(r.lowest) + "-" + std::to_string(r.highest) + ")");
  }
}

// SOURCE_DATE_EPOCH (reproducible-builds.org) when set, else 0.
int64_t reproducible_epoch() {
  const char* env = std::getenv("SOURCE_DATE_EPOCH");
  if (!env || !*env) return 0;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(env, &end, 10);
  if (errno || *end || v < 0) throw Error(std::string("SOURCE_DATE_EPOCH is not a number of seconds: ") + env);
  return v;
}

// The progress line on a terminal, redrawn a few times a second.
class Progress {
 public:
  explicit Progress(bool on) : on_(on) {}

  void update(const PackStats& s) {
    if (!on_) return;
    auto now = Clock::now();
    if (!started_) {
      // From the first entry: the legacy builder's checks come before.
      started_ = true;
      start_ = last_ = now;
    }
    if (now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    std::string rate = secs > 0 ? human_size(static_cast<uint64_t>(s.tar_bytes / secs)) + "/s" : "";
    std::fprintf(stderr, "\r\033[Kpacking: %s, %s, %s", plural(s.files, "file", "files").c_str(), human_size(s.tar_bytes).c_str(),
                 rate.c_str());
    std::fflush(stderr);
    shown_ = true;
  }
  // Takes the line away before anything else is printed.
  void clear() {
    if (!shown_) return;
    std::fputs("\r\033[K", stderr);
    shown_ = false;
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool on_;
  bool started_ = false;
  Clock::time_point start_, last_;
  bool shown_ = false;
};

PackOptions pack_options(const PackFlags& flags) {
  PackOptions options;
  options.reproducible = flags.reproducible;
  if (flags.reproducible) options.epoch = reproducible_epoch();
  options.add_dockerfile = !flags.no_dockerfile;
  options.now = static_cast<int64_t>(std::time(nullptr));
  return options;
}

// The line like Docker's "Sending build context", and how to build the tar.
void print_summary(const PackFlags& flags, Compression compression, const PackResult& result) {
  const PackStats& s = result.stats;
  std::string line = "packed " + plural(s.entries, "entry", "entries") + " (" + plural(s.files, "file", "files") +
                     ", " + human_size(s.content_bytes) + ") into a " + human_size(s.tar_bytes) + " tar";
  if (compression != Compression::kNone) {
    line += ", " + human_size(s.output_bytes) + " " + compression_name(compression);
  }
  std::fprintf(stderr, "ctxpack: %s\n", line.c_str());
  if (!result.dockerfile.empty() && result.dockerfile != "Dockerfile") {
    std::string build = "docker build -f " + quote_path(result.dockerfile) + " -";
    if (!flags.output.empty() && flags.output != "-") build += " < " + quote_path(flags.output);
    std::fprintf(stderr, "ctxpack: build it with: %s\n", build.c_str());
  }
}

int run_pack(const PackFlags& flags) {
  const Compression compression = parse_compression(flags.compress);
  check_level(compression, flags.level);
  const bool to_stdout = flags.output.empty() || flags.output == "-";
  if (to_stdout && ::isatty(STDOUT_FILENO)) {
    throw Error("refusing to write a tar to a terminal: redirect stdout or use -o FILE");
  }
  const PackOptions options = pack_options(flags);

  ContextOptions context_options = flags.ctx.options();
  // Without a Dockerfile docker build fails, so pack does too, unless the
  // tar is only meant to hold the selection.
  context_options.require_dockerfile = !flags.no_dockerfile;
  BuildContext ctx = open_build_context(context_options);
  check_context(ctx);
  if (compression == Compression::kZstd) {
    warn("zstd-compressed contexts are refused by Docker 20.10 and older daemons; gzip is the safe choice");
  }

  // A closed pipe shows as EPIPE from write(), reported like any other
  // write error, instead of killing the process silently.
  std::signal(SIGPIPE, SIG_IGN);
  std::optional<AtomicOutput> file;
  if (!to_stdout) file.emplace(flags.output);
  const int fd = file ? file->fd() : STDOUT_FILENO;

  TarStreamOptions stream_options;
  stream_options.compression = compression;
  stream_options.level = flags.level;
  stream_options.threads = flags.jobs;
  stream_options.sha256 = flags.reproducible;
  TarStream stream(fd, stream_options);

  Progress progress(!flags.quiet && ::isatty(STDERR_FILENO));
  PackCallbacks callbacks;
  callbacks.warning = [&](const std::string& m) {
    progress.clear();
    warn(m);
  };
  callbacks.dockerfile_added = [&](const std::string& m) {
    progress.clear();
    warn(m + " (--no-dockerfile leaves it out)");
  };
  callbacks.progress = [&](const PackStats& s) { progress.update(s); };
  PackResult result;
  try {
    result = pack_context(ctx, options, stream, callbacks);
  } catch (...) {
    progress.clear();
    throw;
  }
  progress.clear();
  if (file) file->commit();

  if (!flags.quiet) print_summary(flags, compression, result);
  if (flags.reproducible)
    std::fprintf(stderr, "sha256:%s  %s\n", stream.sha256_hex().c_str(),
                 quote_path(to_stdout ? "-" : flags.output).c_str());
  if (!result.changed.empty()) {
    warn(plural(result.changed.size(), "file", "files") + " changed while being packed (exit status " +
         std::to_string(kExitContextChanged) + ")");
    return kExitContextChanged;
  }
  return 0;
}

void register_pack(CLI::App& app, Runner& run) {
  auto flags = std::make_shared<PackFlags>();
  CLI::App* cmd = app.add_subcommand("pack", "Write the context as a tar for docker build - (stdout or -o FILE)");
  flags->ctx.add_to(*cmd);
  cmd->add_option("-o,--output", flags->output, "Write to FILE (atomically) instead of stdout; - is stdout");
  cmd->add_option("--compress", flags->compress, "none (default), gzip, bzip2, xz or zstd")
      ->check(CLI::IsMember({"none", "gzip", "bzip2", "xz", "zstd"}));
  cmd->add_option("--level", flags->level, "Compression level (gzip/bzip2 1-9, xz 0-9, zstd 1-22)");
  cmd->add_option("--jobs", flags->jobs, "Threads compressing gzip (default: one per core); same bytes for any N")
      ->check(CLI::Range(1u, 4096u));
  cmd->add_flag("--reproducible", flags->reproducible,
                "Same bytes for the same content: every mtime SOURCE_DATE_EPOCH (else 0); prints the sha256");
  cmd->add_flag("--no-dockerfile", flags->no_dockerfile,
                "Only the builder's selection: do not add a Dockerfile it leaves out");
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress and no summary");
  cmd->callback([flags, &run] { run = [flags] { return run_pack(*flags); }; });
}

CommandRegistration registration{"pack", register_pack};

}  // namespace

}  // namespace ctxpack::cli
