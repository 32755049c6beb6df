// A tar archive as the build context (`docker build - < ctx.tar`).
//
// Docker's daemon unpacks such an archive into a temporary directory before
// either builder looks at it, so the context is the tree that unpacking
// leaves, not the list of entries: names are cleaned against the root
// ("../x" and "/x" both land at "x"), a later entry replaces an earlier one
// of the same name (a directory only merges with a directory), missing
// parent directories are created, a symlink met as a parent is followed
// inside the root, and a hard link must name an entry unpacked before it.
// Where unpacking fails in the daemon (a link to a later entry, a file
// below a file, a symlink that leads nowhere), reading fails here with the
// daemon's reason.
//
// The archive is read once, as a stream (stdin works), with the
// compressions Docker's DecompressStream accepts: none, gzip, bzip2, xz and
// zstd. Nothing is unpacked to disk: the tree is kept as an index in memory
// (it grows with the number of entries, as the daemon's unpacked copy
// does) and the regular files' bytes are copied into one unlinked
// temporary file, which goes away with the last view. No path from the
// archive is ever created on this machine.
#pragma once

#include <memory>
#include <string>

#include "ctxpack/support/filesystem.h"

namespace ctxpack {

class ContextArchive;

// How a builder turns special files of an archive into its context.
struct ArchiveUnpacking {
  // Debian's BuildKit 20.10 (measured on the real daemon): FIFOs vanish,
  // character and block devices become empty regular files. The classic
  // daemon keeps them as they are.
  bool special_files_as_files = false;
  // `docker build - < Dockerfile`: the classic CLI writes the Dockerfile
  // into an otherwise empty context as "Dockerfile" (mode 0644); BuildKit
  // gets an empty context and the Dockerfile beside it.
  bool stdin_dockerfile_in_context = false;
  // Buildah unpacks `buildah build - < ctx.tar` into a directory and builds
  // that: its Containerfile and ignore file are found and applied as in
  // any directory.
  bool as_directory = false;
};

// What standard input held: a context archive or a Dockerfile
// (`docker build - < Dockerfile`, which has no context at all).
struct StdinContext {
  std::shared_ptr<const ContextArchive> archive;  // null when stdin held no archive
  std::string dockerfile_text;                    // what it held otherwise
};

// Reads an archive from `path`, or from stdin for "-". Throws Error naming
// the archive for anything that is not a tar Docker would unpack (the
// message says why: corrupt, truncated, or a daemon unpacking error).
std::shared_ptr<const ContextArchive> read_context_archive(const std::string& path);
// Reads stdin and decides, as the docker CLI does, whether it is an
// archive (a tar, compressed or not) or a Dockerfile.
StdinContext read_stdin_context();
// The same decision, with what is not an archive left unread: `text`
// streams stdin from its first byte (diff reads an `ls --json` listing
// there, which may be larger than memory should hold).
struct StdinInput {
  std::shared_ptr<const ContextArchive> archive;  // null when stdin held no archive
  std::unique_ptr<InputFile> text;                // stdin otherwise
};
StdinInput read_stdin_input();
// From an already open descriptor (tests, and the two above); `name` is
// how errors name the archive.
std::shared_ptr<const ContextArchive> read_context_archive_fd(int fd, const std::string& name);

// A context holding one regular file (or nothing, for an empty `name`).
std::shared_ptr<const ContextArchive> single_file_archive(const std::string& name, const std::string& content,
                                                          uint32_t mode);

// Whether `path` names a regular file that holds a tar archive (compressed
// or not), as opposed to a directory or anything else.
bool is_context_archive(const std::string& path);

// The unpacked tree as a FileSystem (the root is the archive's root).
std::unique_ptr<FileSystem> archive_filesystem(std::shared_ptr<const ContextArchive> archive,
                                               const ArchiveUnpacking& unpacking);

// The unpacked tree as a Host whose paths are relative to its root ("."),
// for a builder that builds it as a directory (ArchiveUnpacking::as_directory).
std::unique_ptr<Host> archive_host(std::shared_ptr<const ContextArchive> archive, const ArchiveUnpacking& unpacking);

// Opens the regular file at `path` in the unpacked tree, following
// symlinks inside its root as the daemon does when it reads the
// Dockerfile and .dockerignore: 0, ENOENT, or EINVAL for anything that is
// not a regular file. `info` (optional) receives its metadata.
int open_archive_file(const ContextArchive& archive, const std::string& path, std::unique_ptr<InputFile>* out,
                      FileInfo* info = nullptr);

// How the archive is named in messages ("-" for stdin is "stdin").
const std::string& archive_name(const ContextArchive& archive);

}  // namespace ctxpack
