#include <sys/stat.h>

#include <cstdio>
#include <map>

#include "commands.h"
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
  if (context_positional) cmd.add_option("context", context, "Build context directory (default: current directory)");
  cmd.add_option("-f,--file", dockerfile,
                 "Dockerfile, relative to the current directory (default: CONTEXT/Dockerfile)");
  cmd.add_option("--builder", builder, "Builder whose rules apply: buildkit (default) or legacy")
      ->check(CLI::IsMember({"buildkit", "legacy"}));
}

ContextOptions ContextFlags::options() const {
  ContextOptions o;
  o.context = context.empty() ? "." : context;
  o.dockerfile = dockerfile;
  o.builder = parse_builder(builder);
  return o;
}

Builder parse_builder(const std::string& name) {
  if (name == "buildkit") return Builder::kBuildKit;
  if (name == "legacy") return Builder::kLegacy;
  throw Error("unknown builder \"" + name + "\" (buildkit or legacy)");
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void warn(const std::string& message) { std::fprintf(stderr, "ctxpack: warning: %s\n", message.c_str()); }

}  // namespace ctxpack::cli
