#include "ctxpack/context/context.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "ctxpack/support/error.h"
#include "ctxpack/support/path.h"

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
    // Both builders fall back to a lower-case name: the classic CLI
    // (getDockerfileRelPath) and BuildKit's Dockerfile frontend alike.
    std::string lower = join_path(options.context == "." ? "" : options.context, "dockerfile");
    if (!is_file(ctx.dockerfile_path) && is_file(lower)) {
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

DockerfileContent read_dockerfile(const std::string& path) {
  // O_NONBLOCK so that opening a FIFO returns at once and fstat can refuse it.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot read Dockerfile", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error("cannot read Dockerfile " + path + ": not a regular file");
  }
  DockerfileContent out;
  out.mode = st.st_mode & 07777;
  out.mtime = st.st_mtim.tv_sec;
  char buf[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw_errno("cannot read Dockerfile", path, err);
    }
    if (n == 0) break;
    out.text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace ctxpack
