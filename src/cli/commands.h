// The subcommands. Each registers its options on the app and returns the
// function that runs it; the function returns the process exit status.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "ctxpack/context/context.h"
#include "ctxpack/dockerfile/dockerfile.h"

namespace ctxpack::cli {

using Runner = std::function<int()>;

// Each subcommand's source file registers itself with a static
// CommandRegistration, so adding a command touches no shared file:
//   static CommandRegistration reg{"ls", register_ls};
// The register function adds the subcommand to `app` and, from its
// callback, sets `run` to the action.
using RegisterFn = void (*)(CLI::App& app, Runner& run);

struct CommandRegistration {
  CommandRegistration(const char* name, RegisterFn fn);
};

// All registered commands, by name.
void register_all(CLI::App& app, Runner& run);

// Options every context-reading command shares: [CONTEXT] -f --builder.
struct ContextFlags {
  std::string context = ".";
  std::string dockerfile;
  std::string builder{default_builder().id()};
  bool allow_all = false;  // --builder all: every builder (set before add_to)
  void add_to(CLI::App& cmd, bool context_positional = true);
  ContextOptions options() const;
};

// How the Dockerfile is evaluated: --target, --build-arg, --platform, as
// docker build takes them.
struct BuildFlags {
  std::string target;
  std::vector<std::string> build_args;
  std::string platform;
  void add_to(CLI::App& cmd);
  BuildOptions options() const;
};

bool is_directory(const std::string& path);

// All of stdin, for -f -.
std::string read_dockerfile_from_stdin();

// `path` cleaned, and relative to the working directory when it lies below
// it (what CI annotations and editors resolve).
std::string from_working_directory(const std::string& path);

// "ctxpack: warning: ..." on stderr.
void warn(const std::string& message);

}  // namespace ctxpack::cli
