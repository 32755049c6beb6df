#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>

#include "commands.h"
#include "ctxpack/support/path.h"
#include "style.h"
#include "ctxpack/support/error.h"

namespace ctxpack::cli {

namespace {
std::map<std::string, RegisterFn>& registry() {
  static std::map<std::string, RegisterFn> commands;
  return commands;
}
}  // namespace

CommandRegistration::CommandRegistration(const char* name, RegisterFn fn) { registry()[name] = fn; }

void register_all(CLI::App& app, Runner& run) {
  for (auto& [name, fn] : registry()) fn(app, run);
}

void ContextFlags::add_to(CLI::App& cmd, bool context_positional) {
  if (context_positional) {
    cmd.add_option("context", context,
                   "Build context: a directory (default: the current one), a tar archive (- for one on stdin), or a git URL");
  }
  cmd.add_option("-f,--file", dockerfile,
                 "Dockerfile, relative to the current directory (default: CONTEXT/Dockerfile; - reads it from stdin)");
  std::vector<std::string> ids;
  for (const Builder* b : builders()) ids.emplace_back(b->id());
  std::string names;
  for (size_t i = 0; i < ids.size(); ++i) {
    names += (i == 0 ? "" : i + 1 == ids.size() ? " or " : ", ") + ids[i] + (i == 0 ? " (default)" : "");
  }
  std::vector<std::string> accepted = ids;
  for (const Builder* b : builders()) {
    for (std::string_view alias : b->aliases()) accepted.emplace_back(alias);
  }
  if (allow_all) {
    accepted.emplace_back("all");
    names += ", or all of them";
  }
  cmd.add_option("--builder", builder, "Builder whose rules apply: " + names)->check(CLI::IsMember(accepted));
}

std::string read_dockerfile_from_stdin() {
  // docker build refuses a Dockerfile from a terminal the same way.
  if (::isatty(0)) throw Error("-f -: the Dockerfile is read from stdin, which is a terminal");
  std::unique_ptr<InputFile> in = fd_input(::dup(0));
  std::string text;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = in->read(buf, sizeof buf);
    if (n < 0) throw_errno("cannot read the Dockerfile from", "stdin", static_cast<int>(-n));
    if (n == 0) return text;
    text.append(buf, static_cast<size_t>(n));
  }
}

ContextOptions ContextFlags::options() const {
  ContextOptions o;
  o.context = context.empty() ? "." : context;
  o.dockerfile = dockerfile;
  o.builder = builder == "all" ? builders().front() : &find_builder(builder);
  if (o.context == "-") {
    // docker build refuses the same.
    if (dockerfile == "-") throw Error("cannot read both the context and the Dockerfile from stdin");
    StdinContext in = read_stdin_context();
    o.archive = in.archive;
    if (!o.archive) {
      if (!dockerfile.empty()) throw Error("-f " + dockerfile + ": stdin holds a Dockerfile, not a context archive");
      o.archive = single_file_archive("", "", 0);
      o.dockerfile_text = std::move(in.dockerfile_text);
    }
    return o;
  }
  // docker build looks for a local directory of that name first.
  if (!is_directory(o.context) && is_git_url(o.context)) {
    if (dockerfile == "-") o.dockerfile_text = read_dockerfile_from_stdin();
    o.git = std::make_shared<GitCheckout>(o.context, o.builder->git_context().value_or(GitContextRules{}));
    return o;
  }
  if (!is_directory(o.context) && is_context_archive(o.context)) {
    if (dockerfile == "-") throw Error("-f - cannot be used with an archive as the context");
    o.archive = read_context_archive(o.context);
    return o;
  }
  if (dockerfile == "-") o.dockerfile_text = read_dockerfile_from_stdin();
  return o;
}

bool use_color(FILE* stream) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return ::isatty(::fileno(stream)) != 0;
}

void BuildFlags::add_to(CLI::App& cmd) {
  cmd.add_option("--target", target, "Build stage to stop at (as docker build --target)");
  cmd.add_option("--build-arg", build_args, "Build argument KEY=VALUE (repeatable), as docker build");
  cmd.add_option("--platform", platform,
                 "Target platform os/arch[/variant] for BuildKit's TARGETPLATFORM, TARGETARCH... (default: this "
                 "machine's), as docker build --platform");
}

BuildOptions BuildFlags::options() const {
  BuildOptions bo;
  bo.target = target;
  if (!platform.empty()) bo.platform = parse_platform(platform).text();
  for (const auto& kv : build_args) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      // docker build takes the value from the environment then.
      if (const char* v = std::getenv(kv.c_str())) bo.build_args[kv] = v;
      continue;
    }
    bo.build_args[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return bo;
}

std::string from_working_directory(const std::string& path) {
  std::string p = clean_path(path);
  if (!p.starts_with("/")) return p;
  char* cwd = ::getcwd(nullptr, 0);
  const std::string here = cwd ? cwd : "";
  std::free(cwd);
  if (!here.empty() && here != "/" && p.starts_with(here + "/")) return p.substr(here.size() + 1);
  return p;
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void warn(const std::string& message) { std::fprintf(stderr, "ctxpack: warning: %s\n", message.c_str()); }

}  // namespace ctxpack::cli
