// The file-system interface everything reads the context through.
//
// Everything is addressed relative to an open directory handle, never by a
// path string: on disk that means openat() with O_NOFOLLOW, so a symlink is
// never followed out of the context (even one swapped in between walking
// and reading), and paths longer than PATH_MAX just work. Tests substitute
// an in-memory file system (tests/fake_filesystem.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ctxpack {

enum class FileType : uint8_t { kRegular, kDirectory, kSymlink, kFifo, kSocket, kCharDevice, kBlockDevice, kUnknown };

struct FileInfo {
  FileType type = FileType::kUnknown;
  uint32_t mode = 0;  // permission bits plus setuid, setgid and sticky (07777)
  uint64_t size = 0;
  int64_t mtime_sec = 0;
  uint32_t mtime_nsec = 0;
  uint64_t ino = 0;
  uint64_t dev = 0;
  uint64_t nlink = 1;
  uint32_t uid = 0, gid = 0;
  uint32_t rdev_major = 0, rdev_minor = 0;
};

struct DirEntry {
  std::string name;
  FileInfo info;  // from lstat; only `type` is filled when the walk was asked not to stat
};

// An open regular file.
class InputFile {
 public:
  virtual ~InputFile() = default;
  // Like read(2): bytes read, 0 at end, -errno on failure.
  virtual ssize_t read(void* buf, size_t len) = 0;
  // The descriptor, for zero-copy transfers; -1 when there is none.
  virtual int fd() const { return -1; }
};

// An open descriptor as an InputFile, which closes it.
std::unique_ptr<InputFile> fd_input(int fd);

class FileSystem {
 public:
  using Dir = int;  // an open directory

  virtual ~FileSystem() = default;

  // The context directory itself.
  virtual Dir root() const = 0;

  // Each call returns 0 or an errno value.

  // Opens directory `name` inside `parent`, not following a symlink.
  virtual int open_dir(Dir parent, const std::string& name, Dir* out) = 0;
  virtual void close_dir(Dir dir) = 0;
  // The entries of `dir` except "." and "..", in no particular order. With
  // `stat`, each entry's full lstat; otherwise only its type. Entries that
  // vanish between listing and stat are left out.
  virtual int read_dir(Dir dir, bool stat, std::vector<DirEntry>* out) = 0;
  virtual int stat(Dir parent, const std::string& name, FileInfo* out) = 0;
  virtual int read_link(Dir parent, const std::string& name, std::string* target) = 0;
  // Opens a regular file for reading: no symlink followed, never blocking
  // on a FIFO, and refusing anything that is not a regular file (ELOOP or
  // EINVAL) so a path swapped after the walk cannot leak.
  virtual int open_file(Dir parent, const std::string& name, std::unique_ptr<InputFile>* out) = 0;
  // Whether the current user may read `name` (the legacy CLI refuses to
  // build when it cannot); with `search`, also look inside it (a directory
  // whose entries Docker's walks stat).
  virtual int check_readable(Dir parent, const std::string& name, bool search = false) = 0;
  // An extended attribute's value, or ENODATA.
  virtual int get_xattr(Dir parent, const std::string& name, const char* attr, std::string* value) = 0;
};

// The real file system rooted at `dir` (symlinks in `dir` itself are
// resolved first, as Docker does). Throws Error when it is not a readable
// directory.
std::unique_ptr<FileSystem> open_disk_filesystem(const std::string& dir);

// Paths as the user names them, outside any context: where the context is,
// a Dockerfile named by path and the ignore file beside it. Symlinks are
// followed, as docker build follows them for these. Tests substitute an
// in-memory machine (tests/fake_filesystem.h).
class Host {
 public:
  virtual ~Host() = default;
  // The absolute path with every symlink resolved; "" when it does not exist.
  virtual std::string real_path(const std::string& path) = 0;
  // The directory at `path` as a FileSystem. Throws Error when it is not a
  // readable directory.
  virtual std::unique_ptr<FileSystem> open_directory(const std::string& path) = 0;
  // stat(2): 0 or an errno value.
  virtual int stat(const std::string& path, FileInfo* out) = 0;
  bool exists(const std::string& path) {
    FileInfo info;
    return stat(path, &info) == 0;
  }
  // Whether the user may read `path`: 0 or an errno value.
  virtual int check_readable(const std::string& path) = 0;
  // Opens a regular file, never blocking on a FIFO and refusing anything
  // else (EINVAL): 0 or an errno value.
  virtual int open_file(const std::string& path, std::unique_ptr<InputFile>* out) = 0;
  // Whether these are this machine's own paths (other programs, git, can
  // be asked about them).
  virtual bool is_disk() const { return false; }
};

// This machine's own paths.
Host& disk_host();

// read_dir, sorted by name byte-wise: the order every builder walks in.
int read_dir_sorted(FileSystem& fs, FileSystem::Dir dir, bool stat, std::vector<DirEntry>* out);

// RAII for a directory handle.
class DirHandle {
 public:
  DirHandle(FileSystem& fs, FileSystem::Dir dir) : fs_(&fs), dir_(dir) {}
  DirHandle(DirHandle&& o) noexcept : fs_(o.fs_), dir_(o.dir_) { o.fs_ = nullptr; }
  DirHandle(const DirHandle&) = delete;
  DirHandle& operator=(const DirHandle&) = delete;
  DirHandle& operator=(DirHandle&&) = delete;
  ~DirHandle() {
    if (fs_) fs_->close_dir(dir_);
  }
  FileSystem::Dir get() const { return dir_; }

 private:
  FileSystem* fs_;
  FileSystem::Dir dir_;
};

}  // namespace ctxpack
