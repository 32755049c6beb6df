// A build context as `docker build` sees it: the directory, the Dockerfile,
// the ignore file the chosen builder reads, and the compiled rules.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ctxpack/builders/builder.h"
#include "ctxpack/context/archive.h"
#include "ctxpack/context/git_context.h"
#include "ctxpack/rules/matcher.h"
#include "ctxpack/support/error.h"
#include "ctxpack/support/filesystem.h"

namespace ctxpack {

struct ContextOptions {
  std::string context = ".";  // as given; relative to the current directory
  std::string dockerfile;     // as given (relative to the current directory); "" for the default
  const Builder* builder = &default_builder();
  // docker build refuses to start without a Dockerfile; commands that only
  // judge paths (why) do without one.
  bool require_dockerfile = true;
  Host* host = &disk_host();  // where the paths above are
  // The Dockerfile itself when it is no file (docker build -f - reads it
  // from stdin): it is then outside the context, and `dockerfile` is unused.
  std::optional<std::string> dockerfile_text;
  // The context is this archive (`docker build - < ctx.tar`, or a path to
  // one), and `context` names it; `dockerfile` is a path inside it. With
  // `dockerfile_text` too, stdin held a Dockerfile and no context at all
  // (`docker build - < Dockerfile`): `archive` is then empty.
  std::shared_ptr<const ContextArchive> archive;
  // The context is this clone of a git URL (`context` is the URL); -f is
  // relative to the checkout, as the docker CLI takes it.
  std::shared_ptr<const GitCheckout> git;
  // False where the builder applies no ignore file to this context
  // (BuildKit's git contexts): the file is then only BuildContext::unapplied.
  bool apply_ignore_file = true;
  // Leave the .git at the context's root out. diff --git compares a working
  // copy with a clone of it, and the two .git directories differ in every
  // file without the difference being anything the user changed.
  bool hide_git_dir = false;
};

struct BuildContext {
  std::string dir;              // absolute, symlinks resolved (Docker does the same)
  std::string dockerfile_path;  // the Dockerfile's path as the user would write it
  std::string dockerfile_rel;   // relative to `dir`, slash-separated; "" when outside the context
  bool dockerfile_exists = false;
  const Builder* builder = &default_builder();
  Host* host = &disk_host();
  std::unique_ptr<Host> owned_host;  // `host`, when it is the context's own (an archive Buildah unpacks)
  std::string ignore_file;           // the ignore file the builder reads, as the user would name it; "" for none
  std::unique_ptr<Matcher> matcher;  // its rules, then the ones the client adds (RuleOrigin::kClient)
  WalkRules walk;                    // how the builder's walk selects with these rules
  std::unique_ptr<FileSystem> fs;
  std::optional<std::string> dockerfile_text;  // ContextOptions::dockerfile_text
  std::shared_ptr<const ContextArchive> archive;  // ContextOptions::archive
  std::shared_ptr<const GitCheckout> git;         // ContextOptions::git
  // The ignore file of an archive or a git context, which the builder does
  // not apply to it (only the classic daemon's deletions follow from an
  // archive's): `why` says what it would have kept out. Null otherwise.
  std::unique_ptr<Matcher> unapplied;
  std::string unapplied_file;
  // False for an archive and for BuildKit's git contexts: what the user
  // wants kept out must be left out of the archive or the repository.
  bool ignore_file_applies = true;
};

// No Dockerfile where the build looks for it (docker build fails).
class MissingDockerfile : public Error {
 public:
  explicit MissingDockerfile(const std::string& where)
      : Error("cannot find Dockerfile " + where + " (docker build would fail)"), path(where) {}
  std::string path;
};

// Whether `builder` can build the kind of context `ctx` is (an archive, a
// git URL); commands comparing builders leave out those that cannot.
bool builder_takes(const Builder& builder, const BuildContext& ctx);

// Resolves and reads everything; throws Error for a missing or non-directory
// context, a missing Dockerfile that was named, or an unreadable or malformed
// ignore file. The rules end with those the builder's client adds.
BuildContext open_build_context(const ContextOptions& options);

struct DockerfileContent {
  std::string text;
  uint32_t mode = 0;  // permission bits plus setuid, setgid and sticky
  int64_t mtime = 0;  // whole seconds
};

// Reads the Dockerfile. The user may name anything, but only a regular
// file has an end: a FIFO would block and /dev/zero never ends, so anything
// else is an Error naming it, raised before it is read.
DockerfileContent read_dockerfile(const BuildContext& ctx);

}  // namespace ctxpack
