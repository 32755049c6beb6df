#include "ctxpack/context.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "ctxpack/error.h"
#include "ctxpack/path.h"

namespace ctxpack {

namespace {

std::string real_path(const std::string& p) {
  char* r = ::realpath(p.c_str(), nullptr);
  if (!r) return {};
  std::string out(r);
  std::free(r);
  return out;
}

bool is_file(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

// Appends the docker CLI's re-include rule for `name` when its deprecated
// single-ancestor check finds `name` excluded (TrimBuildFilesFromExcludes).
// That check can miss an exclusion; then the file is simply not sent,
// exactly as with docker.
void readd_if_excluded(IgnoreFile& ignore, const std::string& name) {
  bool excluded = false;
  try {
    excluded = Matcher(ignore.rules).matches_one_parent(name).excluded;
  } catch (const PatternError&) {
    // The CLI ignores errors here; the walk reports them.
  }
  if (excluded) ignore.rules.push_back(Rule{"!" + name, kCliRuleSource, 0, "!" + name});
}

}  // namespace

BuildContext open_build_context(const ContextOptions& options) {
  BuildContext ctx;
  ctx.builder = options.builder;
  ctx.fs = open_disk_filesystem(options.context);
  ctx.dir = real_path(options.context);

  if (options.dockerfile.empty()) {
    ctx.dockerfile_path = join_path(options.context == "." ? "" : options.context, "Dockerfile");
    // The classic CLI falls back to a lower-case name.
    std::string lower = join_path(options.context == "." ? "" : options.context, "dockerfile");
    if (options.builder == Builder::kLegacy && !is_file(ctx.dockerfile_path) && is_file(lower)) {
      ctx.dockerfile_path = lower;
    }
  } else {
    ctx.dockerfile_path = options.dockerfile;
  }
  std::string df_real = real_path(ctx.dockerfile_path);
  ctx.dockerfile_exists = !df_real.empty() && is_file(df_real);
  if (!ctx.dockerfile_exists && (options.require_dockerfile || !options.dockerfile.empty())) {
    throw Error("cannot find Dockerfile " + ctx.dockerfile_path + " (docker build would fail; name it with -f)");
  }
  // Both builders fail on a Dockerfile they cannot read (BuildKit sends it
  // empty and then refuses it).
  if (ctx.dockerfile_exists && options.require_dockerfile && ::access(df_real.c_str(), R_OK) != 0) {
    throw_errno("cannot read Dockerfile", ctx.dockerfile_path, errno);
  }
  if (ctx.dockerfile_exists && df_real.compare(0, ctx.dir.size() + 1, ctx.dir + "/") == 0) {
    ctx.dockerfile_rel = df_real.substr(ctx.dir.size() + 1);
  } else if (!ctx.dockerfile_exists) {
    ctx.dockerfile_rel = base_name(ctx.dockerfile_path);
  }

  std::string ignore_path =
      find_ignore_file(options.context, ctx.dockerfile_exists ? ctx.dockerfile_path : "", options.builder);
  if (!ignore_path.empty()) {
    if (ignore_path.compare(0, 2, "./") == 0) ignore_path.erase(0, 2);
    ctx.ignore = read_ignore_file(ignore_path, ignore_path);
  }
  if (options.builder == Builder::kLegacy) {
    readd_if_excluded(ctx.ignore, ".dockerignore");
    if (ctx.dockerfile_exists && !ctx.dockerfile_rel.empty()) readd_if_excluded(ctx.ignore, ctx.dockerfile_rel);
  }
  ctx.matcher = std::make_unique<Matcher>(ctx.ignore.rules);
  return ctx;
}

}  // namespace ctxpack
