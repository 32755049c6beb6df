// The build context as a tar, entry for entry as the docker CLI uploads it
// (go-archive's addTarFile): the builder's selection in walk order, uid/gid
// 0, whole-second mtimes, hardlinks as link entries to the first archived
// name of the inode, sockets left out, only the security.capability xattr.
//
// Around the selection, the Dockerfile (see README, "Dockerfile policy"):
// `docker build - < tar` reads it from the tar, so when the builder's
// selection lacks it pack adds it: outside the context as
// ".dockerfile.<20 hex of its sha256>" (with the legacy builder also listed
// in .dockerignore, as the docker CLI does, so the daemon hides it from
// COPY), excluded by BuildKit's rules at its own path.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ctxpack/context/context.h"
#include "ctxpack/pack/tar_writer.h"
#include "ctxpack/context/walk.h"

namespace ctxpack {

struct PackOptions {
  // Every entry gets mtime `epoch`; with identical content the bytes are
  // identical.
  bool reproducible = false;
  int64_t epoch = 0;
  // Add the Dockerfile when the selection lacks it (see above).
  bool add_dockerfile = true;
  // The mtime of entries pack makes up (the Dockerfile from outside the
  // context, a created .dockerignore) when not reproducible.
  int64_t now = 0;
};

struct PackStats {
  uint64_t entries = 0;        // tar entries
  uint64_t files = 0;          // regular files and hardlinks among them
  uint64_t content_bytes = 0;  // file content archived
  uint64_t tar_bytes = 0;      // the uncompressed archive so far
  uint64_t output_bytes = 0;   // what reached the output (compressed size)
};

struct PackResult {
  PackStats stats;
  // The Dockerfile's name inside the tar, for `docker build -f NAME -`;
  // empty when the tar holds none.
  std::string dockerfile;
  // Files that changed while being packed (grew, shrank, vanished, became
  // unreadable), one message each; the tar is well-formed regardless.
  std::vector<std::string> changed;
};

struct PackCallbacks {
  std::function<void(const std::string&)> warning;
  // A warning that pack added a Dockerfile the builder's selection lacks
  // (PackOptions::add_dockerfile turns that off); `warning` when unset.
  std::function<void(const std::string&)> dockerfile_added;
  // Called after every entry with the running totals.
  std::function<void(const PackStats&)> progress;
};

// Walks `ctx` and writes the tar to `out` (finished: end-of-archive blocks
// written and flushed). Throws Error where the builder would fail, and
// WriteError when the output cannot be written.
PackResult pack_context(BuildContext& ctx, const PackOptions& options, TarStream& out, const PackCallbacks& callbacks);

// The name under which the classic client adds a Dockerfile from stdin or
// from outside the context, and the line it appends to .dockerignore for
// it (PackRules::hide_outside_dockerfile). ctxpack names it by the
// Dockerfile's digest where the client picks 20 random hex digits: the
// length is the same.
std::string injected_dockerfile_name(std::string_view dockerfile_text);
std::string dockerignore_suffix(std::string_view dockerfile_text);

// The exact size of the uncompressed tar pack_context writes for the same
// context and options, from metadata alone: file contents are not read
// (the security.capability xattr and the Dockerfile are). Give it every
// entry of a walk with WalkOptions::stat, or use it as the visitor:
//   TarSizeCounter counter(ctx);
//   walk_context(ctx, WalkOptions{.stat = true}, counter);
//   uint64_t tar_bytes = counter.total();
class TarSizeCounter : public WalkVisitor {
 public:
  explicit TarSizeCounter(BuildContext& ctx, const PackOptions& options = {});
  ~TarSizeCounter() override;
  void visit(const WalkEntry& e) override;
  void warning(const std::string&) override {}
  // After the walk: the whole archive, Dockerfile additions and
  // end-of-archive blocks included.
  uint64_t total();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ctxpack
