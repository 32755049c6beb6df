#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "ctxpack/support/error.h"
#include "ctxpack/support/filesystem.h"

namespace ctxpack {

namespace {

FileType type_of(mode_t m) {
  switch (m & S_IFMT) {
    case S_IFREG:
      return FileType::kRegular;
    case S_IFDIR:
      return FileType::kDirectory;
    case S_IFLNK:
      return FileType::kSymlink;
    case S_IFIFO:
      return FileType::kFifo;
    case S_IFSOCK:
      return FileType::kSocket;
    case S_IFCHR:
      return FileType::kCharDevice;
    case S_IFBLK:
      return FileType::kBlockDevice;
    default:
      return FileType::kUnknown;
  }
}

FileType type_of_dtype(unsigned char t) {
  switch (t) {
    case DT_REG:
      return FileType::kRegular;
    case DT_DIR:
      return FileType::kDirectory;
    case DT_LNK:
      return FileType::kSymlink;
    case DT_FIFO:
      return FileType::kFifo;
    case DT_SOCK:
      return FileType::kSocket;
    case DT_CHR:
      return FileType::kCharDevice;
    case DT_BLK:
      return FileType::kBlockDevice;
    default:
      return FileType::kUnknown;
  }
}

void fill(const struct stat& st, FileInfo* out) {
  out->type = type_of(st.st_mode);
  out->mode = st.st_mode & 07777;
  out->size = static_cast<uint64_t>(st.st_size);
  out->mtime_sec = st.st_mtim.tv_sec;
  out->mtime_nsec = static_cast<uint32_t>(st.st_mtim.tv_nsec);
  out->ino = st.st_ino;
  out->dev = st.st_dev;
  out->nlink = st.st_nlink;
  out->uid = st.st_uid;
  out->gid = st.st_gid;
  out->rdev_major = major(st.st_rdev);
  out->rdev_minor = minor(st.st_rdev);
}

class DiskFile : public InputFile {
 public:
  explicit DiskFile(int fd) : fd_(fd) {}
  ~DiskFile() override { ::close(fd_); }
  ssize_t read(void* buf, size_t len) override {
    while (true) {
      ssize_t n = ::read(fd_, buf, len);
      if (n >= 0) return n;
      if (errno != EINTR) return -errno;
    }
  }
  int fd() const override { return fd_; }

 private:
  int fd_;
};

// Opens `name` (relative to `dir`) if it is a regular file: 0, an errno
// value, or EINVAL for anything else. O_NONBLOCK so that a FIFO, even one
// swapped in after the walk, cannot block the open (regular files ignore
// it).
int open_regular(int dir, const char* name, int flags, std::unique_ptr<InputFile>* out) {
  int fd = ::openat(dir, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | flags);
  if (fd < 0) return errno;
  struct stat st;
  int err = ::fstat(fd, &st) != 0 ? errno : S_ISREG(st.st_mode) ? 0 : EINVAL;
  if (err) {
    ::close(fd);
    return err;
  }
  *out = std::make_unique<DiskFile>(fd);
  return 0;
}

// The kernel's record layout for getdents64 (glibc has no declaration).
struct linux_dirent64 {
  ino64_t d_ino;
  off64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[1];  // NUL-terminated, longer in practice
};

class DiskFileSystem : public FileSystem {
 public:
  explicit DiskFileSystem(int root) : root_(root) {}
  ~DiskFileSystem() override { ::close(root_); }

  Dir root() const override { return root_; }

  int open_dir(Dir parent, const std::string& name, Dir* out) override {
    int fd = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno;
    *out = fd;
    return 0;
  }

  void close_dir(Dir dir) override {
    if (dir != root_) ::close(dir);
  }

  int read_dir(Dir dir, bool with_stat, std::vector<DirEntry>* out) override {
    out->clear();
    // getdents64 directly: no DIR* allocation, and it reads from the
    // descriptor's current offset, so rewind for repeat calls.
    if (::lseek(dir, 0, SEEK_SET) < 0) return errno;
    alignas(8) char buf[64 * 1024];
    while (true) {
      long n = ::syscall(SYS_getdents64, dir, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      if (n == 0) break;
      for (long off = 0; off < n;) {
        auto* d = reinterpret_cast<linux_dirent64*>(buf + off);
        off += d->d_reclen;
        const char* nm = d->d_name;
        if (nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0))) continue;
        DirEntry e;
        e.name = nm;
        e.info.type = type_of_dtype(d->d_type);
        e.info.ino = d->d_ino;
        if (with_stat || e.info.type == FileType::kUnknown) {
          int err = stat(dir, e.name, &e.info);
          if (err == ENOENT) continue;  // vanished since the listing
          if (err) return err;
        }
        out->push_back(std::move(e));
      }
    }
    return 0;
  }

  int stat(Dir parent, const std::string& name, FileInfo* out) override {
    struct stat st;
    if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return errno;
    fill(st, out);
    return 0;
  }

  int read_link(Dir parent, const std::string& name, std::string* target) override {
    std::string buf(256, '\0');
    while (true) {
      ssize_t n = ::readlinkat(parent, name.c_str(), buf.data(), buf.size());
      if (n < 0) return errno;
      if (static_cast<size_t>(n) < buf.size()) {
        buf.resize(static_cast<size_t>(n));
        *target = std::move(buf);
        return 0;
      }
      buf.resize(buf.size() * 2);
    }
  }

  int open_file(Dir parent, const std::string& name, std::unique_ptr<InputFile>* out) override {
    return open_regular(parent, name.c_str(), O_NOFOLLOW, out);
  }

  int check_readable(Dir parent, const std::string& name, bool search) override {
    // One syscall instead of open+close, with the effective ids open uses.
    if (::faccessat(parent, name.c_str(), R_OK | (search ? X_OK : 0), AT_EACCESS) < 0) return errno;
    return 0;
  }

  int get_xattr(Dir parent, const std::string& name, const char* attr, std::string* value) override {
    // No lgetxattrat(): go through the directory's /proc link, which keeps
    // the path short and resolves no symlink in `name`.
    std::string path = "/proc/self/fd/" + std::to_string(parent) + "/" + name;
    char buf[512];
    ssize_t n = ::lgetxattr(path.c_str(), attr, buf, sizeof buf);
    if (n < 0) return errno == ENOTSUP ? ENODATA : errno;
    value->assign(buf, static_cast<size_t>(n));
    return 0;
  }

 private:
  int root_;
};

class DiskHost : public Host {
 public:
  bool is_disk() const override { return true; }
  std::string real_path(const std::string& path) override {
    char* r = ::realpath(path.c_str(), nullptr);
    if (!r) return {};
    std::string out(r);
    std::free(r);
    return out;
  }
  std::unique_ptr<FileSystem> open_directory(const std::string& path) override { return open_disk_filesystem(path); }
  int stat(const std::string& path, FileInfo* out) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return errno;
    fill(st, out);
    return 0;
  }
  int check_readable(const std::string& path) override { return ::access(path.c_str(), R_OK) == 0 ? 0 : errno; }
  int open_file(const std::string& path, std::unique_ptr<InputFile>* out) override {
    return open_regular(AT_FDCWD, path.c_str(), 0, out);
  }
};

}  // namespace

std::unique_ptr<InputFile> fd_input(int fd) { return std::make_unique<DiskFile>(fd); }

Host& disk_host() {
  static DiskHost host;
  return host;
}

std::unique_ptr<FileSystem> open_disk_filesystem(const std::string& dir) {
  char* resolved = ::realpath(dir.c_str(), nullptr);
  if (!resolved) throw_errno("cannot open context", dir, errno);
  std::string real(resolved);
  std::free(resolved);
  int fd = ::open(real.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOTDIR) throw Error("context " + dir + " is not a directory");
    throw_errno("cannot open context", dir, errno);
  }
  return std::make_unique<DiskFileSystem>(fd);
}

}  // namespace ctxpack
