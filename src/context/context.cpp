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
    throw MissingDockerfile(ctx.dockerfile_path);
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

  ctx.ignore_file =
      options.builder->find_ignore_file(options.context, ctx.dockerfile_exists ? ctx.dockerfile_path : "");
  std::vector<Rule> rules;
  if (!ctx.ignore_file.empty()) {
    if (ctx.ignore_file.starts_with("./")) ctx.ignore_file.erase(0, 2);
    rules = read_ignore_file(ctx.ignore_file, ctx.ignore_file).rules;
  }
  for (Rule& r : options.builder->client_rules(rules, ctx.dockerfile_exists ? ctx.dockerfile_rel : "")) {
    rules.push_back(std::move(r));
  }
  ctx.matcher = std::make_unique<Matcher>(std::move(rules));
  ctx.walk = options.builder->walk_rules(*ctx.matcher);
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
