// A build context as `docker build` sees it: the directory, the Dockerfile,
// the ignore file the chosen builder reads, and the compiled rules.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ctxpack/support/filesystem.h"
#include "ctxpack/rules/ignore_file.h"
#include "ctxpack/rules/matcher.h"

namespace ctxpack {

struct ContextOptions {
  std::string context = ".";  // as given; relative to the current directory
  std::string dockerfile;     // -f as given (relative to the current directory); "" for the default
  Builder builder = Builder::kBuildKit;
  // docker build refuses to start without a Dockerfile; commands that only
  // judge paths (why) do without one.
  bool require_dockerfile = true;
};

struct BuildContext {
  std::string dir;              // absolute, symlinks resolved (Docker does the same)
  std::string dockerfile_path;  // the Dockerfile's path as the user would write it
  std::string dockerfile_rel;   // relative to `dir`, slash-separated; "" when outside the context
  bool dockerfile_exists = false;
  Builder builder = Builder::kBuildKit;
  IgnoreFile ignore;  // the rules the builder applies, in order
  std::unique_ptr<Matcher> matcher;
  std::unique_ptr<FileSystem> fs;
};

// Resolves and reads everything; throws Error for a missing or non-directory
// context, a missing -f Dockerfile, or an unreadable or malformed ignore file.
//
// For the legacy builder the rules include what the docker CLI appends:
// "!.dockerignore" and "!<Dockerfile>" when its (single-ancestor) matcher
// finds them excluded, so both reach the daemon. These rules have line 0
// and file kCliRuleSource.
BuildContext open_build_context(const ContextOptions& options);

inline constexpr const char* kCliRuleSource = "(docker CLI)";

struct DockerfileContent {
  std::string text;
  uint32_t mode = 0;  // permission bits plus setuid, setgid and sticky
  int64_t mtime = 0;  // whole seconds
};

// Reads a Dockerfile. -f may name anything, but only a regular file has an
// end: a FIFO would block and /dev/zero never ends, so anything else is an
// Error naming `path`, raised before the file is read.
DockerfileContent read_dockerfile(const std::string& path);

}  // namespace ctxpack
