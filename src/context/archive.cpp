#include "ctxpack/context/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "ctxpack/support/error.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

namespace {

constexpr uint32_t kRoot = 0;
// The daemon creates missing parents with MkdirAll(0777) under umask 022.
constexpr uint32_t kImpliedDirMode = 0755;
// Linux's limit on symlinks followed in one lookup (ELOOP after it).
constexpr int kMaxSymlinkHops = 40;

struct Node {
  std::string name;
  FileInfo info;
  uint64_t offset = 0;  // regular files: where the bytes start in the spool
  std::string link;     // symlink target
  uint32_t parent = kRoot;
  std::map<std::string, uint32_t> children;
};

// The daemon's unpacking error, as Go's os package words it
// ("open /d/x: not a directory").
[[noreturn]] void unpack_error(const std::string& op, const std::string& path, int err) {
  throw Error(op + " /" + path + ": " + std::strerror(err));
}

}  // namespace

class ContextArchive {
 public:
  explicit ContextArchive(std::string name);
  ~ContextArchive() {
    if (spool_ >= 0) ::close(spool_);
  }
  ContextArchive(const ContextArchive&) = delete;
  ContextArchive& operator=(const ContextArchive&) = delete;

  void read(struct archive* a);
  void add_file(const std::string& name, const std::string& content, uint32_t mode);

  const std::string& name() const { return name_; }
  const Node& node(uint32_t i) const { return nodes_[i]; }
  // The node `path` leads to from the root, every symlink followed; kRoot
  // when there is none.
  uint32_t follow(const std::string& path) const {
    try {
      return resolve(kRoot, path, 0, path, false);
    } catch (const Error&) {
      return kRoot;
    }
  }
  uint64_t link_count(const Node& n) const { return links_[n.info.ino]; }
  int spool() const { return spool_; }

 private:
  void add(struct archive* a, struct archive_entry* e);
  uint32_t parent_for(const std::vector<std::string>& parts, const std::string& path);
  uint32_t resolve(uint32_t dir, const std::string& target, int hops, const std::string& path,
                   bool dirs_only = true) const;
  uint32_t lookup_link_target(const std::string& target, const std::string& path);
  uint32_t child(uint32_t dir, const std::string& name) const;
  uint32_t make(uint32_t dir, const std::string& name, Node n);
  void remove(uint32_t dir, const std::string& name);
  void spool_data(struct archive* a, Node* n);

  std::string name_;
  std::vector<Node> nodes_;
  std::vector<uint64_t> links_;  // by inode: how many names a file has
  int spool_ = -1;
  uint64_t spool_end_ = 0;
};

ContextArchive::ContextArchive(std::string name) : name_(std::move(name)) {
  Node root;
  root.info.type = FileType::kDirectory;
  root.info.mode = kImpliedDirMode;
  nodes_.push_back(std::move(root));
  links_.push_back(1);
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = tmp && *tmp ? tmp : "/tmp";
  spool_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (spool_ < 0) {
    std::string templ = dir + "/ctxpack-archive-XXXXXX";
    spool_ = ::mkstemp(templ.data());
    if (spool_ >= 0) ::unlink(templ.c_str());
  }
  if (spool_ < 0) throw_errno("cannot create a temporary file in", dir, errno);
}

uint32_t ContextArchive::child(uint32_t dir, const std::string& name) const {
  auto it = nodes_[dir].children.find(name);
  return it == nodes_[dir].children.end() ? kRoot : it->second;
}

uint32_t ContextArchive::make(uint32_t dir, const std::string& name, Node n) {
  n.name = name;
  n.parent = dir;
  const auto index = static_cast<uint32_t>(nodes_.size());
  if (n.info.ino == 0) {
    n.info.ino = links_.size();
    links_.push_back(0);
  }
  ++links_[n.info.ino];
  nodes_.push_back(std::move(n));
  nodes_[dir].children[name] = index;
  return index;
}

// The daemon's os.RemoveAll before it writes an entry over another.
void ContextArchive::remove(uint32_t dir, const std::string& name) {
  std::vector<uint32_t> stack{child(dir, name)};
  nodes_[dir].children.erase(name);
  while (!stack.empty()) {
    Node& n = nodes_[stack.back()];
    stack.pop_back();
    --links_[n.info.ino];
    for (const auto& [_, c] : n.children) stack.push_back(c);
    n.children.clear();
  }
}

// Follows `target` from directory `dir` the way a lookup inside the
// daemon's chroot does: "/" and ".." stop at the root.
uint32_t ContextArchive::resolve(uint32_t dir, const std::string& target, int hops, const std::string& path,
                                 bool dirs_only) const {
  if (hops > kMaxSymlinkHops) unpack_error("open", path, ELOOP);
  uint32_t at = target.starts_with("/") ? kRoot : dir;
  for (const std::string& part : path_components(target)) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      at = nodes_[at].parent;
      continue;
    }
    uint32_t next = child(at, part);
    if (next == kRoot) unpack_error("open", path, ENOENT);
    if (nodes_[next].info.type == FileType::kSymlink) next = resolve(at, nodes_[next].link, hops + 1, path, false);
    if (dirs_only && nodes_[next].info.type != FileType::kDirectory) unpack_error("open", path, ENOTDIR);
    at = next;
  }
  return at;
}

// The directory an entry at `parts` goes into: missing parents are created,
// symlinks among them followed (a dangling one fails, as in the daemon).
uint32_t ContextArchive::parent_for(const std::vector<std::string>& parts, const std::string& path) {
  uint32_t at = kRoot;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    uint32_t next = child(at, parts[i]);
    if (next == kRoot) {
      Node dir;
      dir.info.type = FileType::kDirectory;
      dir.info.mode = kImpliedDirMode;
      at = make(at, parts[i], std::move(dir));
      continue;
    }
    if (nodes_[next].info.type == FileType::kSymlink) next = resolve(at, nodes_[next].link, 1, path);
    if (nodes_[next].info.type != FileType::kDirectory) unpack_error("open", path, ENOTDIR);
    at = next;
  }
  return at;
}

uint32_t ContextArchive::lookup_link_target(const std::string& target, const std::string& path) {
  const std::string clean = clean_path("/" + target).substr(1);
  std::vector<std::string> parts = path_components(clean);
  uint32_t at = kRoot;
  try {
    for (size_t i = 0; i + 1 < parts.size(); ++i) at = resolve(at, parts[i], 0, clean);
  } catch (const Error&) {
    throw Error("link /" + clean + " /" + path + ": " + std::strerror(ENOENT));
  }
  const uint32_t found = clean.empty() ? kRoot : child(at, parts.back());
  if (found == kRoot) throw Error("link /" + clean + " /" + path + ": " + std::strerror(ENOENT));
  if (nodes_[found].info.type == FileType::kDirectory) {
    throw Error("link /" + clean + " /" + path + ": " + std::strerror(EPERM));
  }
  return found;
}

void ContextArchive::spool_data(struct archive* a, Node* n) {
  n->offset = spool_end_;
  const void* block;
  size_t len;
  la_int64_t at;
  for (;;) {
    int r = archive_read_data_block(a, &block, &len, &at);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) throw Error(archive_error_string(a) ? archive_error_string(a) : "unreadable data");
    for (size_t done = 0; done < len;) {
      ssize_t w = ::pwrite(spool_, static_cast<const char*>(block) + done, len - done,
                           static_cast<off_t>(n->offset + static_cast<uint64_t>(at) + done));
      if (w < 0) throw_errno("cannot write the archive's files to a temporary file", "", errno);
      done += static_cast<size_t>(w);
    }
  }
  // Sparse files end in a hole the blocks do not cover.
  spool_end_ += n->info.size;
  if (::ftruncate(spool_, static_cast<off_t>(spool_end_)) != 0) {
    throw_errno("cannot write the archive's files to a temporary file", "", errno);
  }
}

FileType entry_type(mode_t type) {
  switch (type) {
    case AE_IFREG: return FileType::kRegular;
    case AE_IFDIR: return FileType::kDirectory;
    case AE_IFLNK: return FileType::kSymlink;
    case AE_IFCHR: return FileType::kCharDevice;
    case AE_IFBLK: return FileType::kBlockDevice;
    case AE_IFIFO: return FileType::kFifo;
    default: return FileType::kUnknown;
  }
}

void ContextArchive::add(struct archive* a, struct archive_entry* e) {
  const char* raw = archive_entry_pathname(e);
  const std::string path = clean_path("/" + std::string(raw ? raw : "")).substr(1);
  if (path.empty()) return;  // the root itself: nothing to unpack
  const std::vector<std::string> parts = path_components(path);
  const uint32_t dir = parent_for(parts, path);
  const std::string& name = parts.back();

  if (const char* hardlink = archive_entry_hardlink(e)) {
    const uint32_t target = lookup_link_target(hardlink, path);
    Node n = nodes_[target];
    n.children.clear();
    if (child(dir, name) != kRoot) remove(dir, name);
    make(dir, name, std::move(n));
    return;
  }
  Node n;
  n.info.type = entry_type(archive_entry_filetype(e));
  // Go's tar reader knows no other types; the daemon skips them.
  if (n.info.type == FileType::kUnknown) return;
  n.info.mode = archive_entry_perm(e) & 07777;
  n.info.mtime_sec = archive_entry_mtime(e);
  n.info.mtime_nsec = static_cast<uint32_t>(archive_entry_mtime_nsec(e));
  n.info.uid = static_cast<uint32_t>(archive_entry_uid(e));
  n.info.gid = static_cast<uint32_t>(archive_entry_gid(e));
  n.info.rdev_major = archive_entry_rdevmajor(e);
  n.info.rdev_minor = archive_entry_rdevminor(e);
  if (n.info.type == FileType::kSymlink) n.link = archive_entry_symlink(e) ? archive_entry_symlink(e) : "";
  if (n.info.type == FileType::kRegular) n.info.size = static_cast<uint64_t>(archive_entry_size(e));

  const uint32_t existing = child(dir, name);
  if (existing != kRoot && n.info.type == FileType::kDirectory &&
      nodes_[existing].info.type == FileType::kDirectory) {
    // A directory over a directory keeps its contents and takes the new metadata.
    std::map<std::string, uint32_t> kept = std::move(nodes_[existing].children);
    const uint64_t ino = nodes_[existing].info.ino;
    nodes_[existing].info = n.info;
    nodes_[existing].info.ino = ino;
    nodes_[existing].children = std::move(kept);
    return;
  }
  if (existing != kRoot) remove(dir, name);
  const uint32_t made = make(dir, name, std::move(n));
  if (nodes_[made].info.type == FileType::kRegular) spool_data(a, &nodes_[made]);
}

void ContextArchive::add_file(const std::string& name, const std::string& content, uint32_t mode) {
  Node n;
  n.info.type = FileType::kRegular;
  n.info.mode = mode;
  n.info.size = content.size();
  n.offset = spool_end_;
  if (::pwrite(spool_, content.data(), content.size(), static_cast<off_t>(spool_end_)) !=
      static_cast<ssize_t>(content.size())) {
    throw_errno("cannot write to a temporary file", "", errno);
  }
  spool_end_ += content.size();
  make(kRoot, name, std::move(n));
}

void ContextArchive::read(struct archive* a) {
  struct archive_entry* e;
  for (;;) {
    int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF) return;
    if (r < ARCHIVE_WARN) throw Error(archive_error_string(a) ? archive_error_string(a) : "not a tar archive");
    add(a, e);
  }
}

namespace {

// What the reader hands libarchive: bytes already read (stdin's first
// block, read to tell an archive from a Dockerfile), then the descriptor.
struct Source {
  int fd;
  std::string head;
  bool head_given = false;
  std::vector<char> buf = std::vector<char>(1 << 16);
};

la_ssize_t read_source(struct archive* a, void* data, const void** out) {
  auto* s = static_cast<Source*>(data);
  if (!s->head_given && !s->head.empty()) {
    s->head_given = true;
    *out = s->head.data();
    return static_cast<la_ssize_t>(s->head.size());
  }
  for (;;) {
    ssize_t n = ::read(s->fd, s->buf.data(), s->buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      archive_set_error(a, errno, "%s", std::strerror(errno));
      return -1;
    }
    *out = s->buf.data();
    return n;
  }
}

// The compressions Docker's DecompressStream knows, and tar.
struct archive* new_reader() {
  struct archive* a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_bzip2(a);
  archive_read_support_filter_xz(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_format_tar(a);
  return a;
}

std::shared_ptr<const ContextArchive> read_from(Source* source, const std::string& name) {
  auto archive = std::make_shared<ContextArchive>(name);
  struct archive* a = new_reader();
  try {
    if (archive_read_open(a, source, nullptr, read_source, nullptr) != ARCHIVE_OK) {
      throw Error(archive_error_string(a) ? archive_error_string(a) : "cannot open");
    }
    archive->read(a);
  } catch (const Error& err) {
    archive_read_free(a);
    throw Error("cannot use " + name + " as the build context: " + err.what());
  }
  archive_read_free(a);
  return archive;
}

// Docker's archive.DetectCompression: the magic numbers of what
// DecompressStream can undo.
bool compressed(const std::string& head) {
  static const std::string magics[] = {std::string("\x1f\x8b\x08", 3), "BZh", std::string("\xfd" "7zXZ\0", 6),
                                       std::string("\x28\xb5\x2f\xfd", 4)};
  for (const std::string& m : magics) {
    if (head.starts_with(m)) return true;
  }
  return false;
}

// The docker CLI's IsArchive on the first 1024 bytes: compressed, or a tar
// header Go's reader accepts.
bool looks_like_archive(const std::string& head) {
  if (compressed(head)) return true;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  struct archive_entry* e;
  const std::string first = head.substr(0, 1024);
  bool ok = archive_read_open_memory(a, first.data(), first.size()) == ARCHIVE_OK &&
            archive_read_next_header(a, &e) >= ARCHIVE_WARN;
  archive_read_free(a);
  return ok;
}

std::string read_head(int fd, size_t want) {
  std::string head(want, '\0');
  size_t got = 0;
  while (got < want) {
    ssize_t n = ::read(fd, head.data() + got, want - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("cannot read", "stdin", errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  head.resize(got);
  return head;
}

}  // namespace

std::shared_ptr<const ContextArchive> read_context_archive_fd(int fd, const std::string& name) {
  Source source{fd, {}};
  return read_from(&source, name);
}

std::shared_ptr<const ContextArchive> read_context_archive(const std::string& path) {
  if (path == "-") {
    StdinContext in = read_stdin_context();
    if (!in.archive) throw Error("stdin holds no tar archive");
    return in.archive;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw_errno("cannot read", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error("cannot use " + path + " as the build context: not a directory or a tar archive");
  }
  ::fcntl(fd, F_SETFL, 0);
  try {
    auto archive = read_context_archive_fd(fd, path);
    ::close(fd);
    return archive;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

namespace {

// Standard input from its first bytes on, though they were read already.
class StdinText : public InputFile {
 public:
  explicit StdinText(std::string head) : head_(std::move(head)) {}
  ssize_t read(void* buf, size_t len) override {
    if (served_ < head_.size()) {
      const size_t n = std::min(len, head_.size() - served_);
      std::memcpy(buf, head_.data() + served_, n);
      served_ += n;
      return static_cast<ssize_t>(n);
    }
    for (;;) {
      ssize_t n = ::read(0, buf, len);
      if (n >= 0 || errno != EINTR) return n < 0 ? -errno : n;
    }
  }

 private:
  std::string head_;
  size_t served_ = 0;
};

}  // namespace

StdinInput read_stdin_input() {
  if (::isatty(0)) throw Error("the context is read from stdin, which is a terminal");
  Source source{0, read_head(0, 1024)};
  StdinInput out;
  if (looks_like_archive(source.head)) {
    out.archive = read_from(&source, "stdin");
  } else {
    out.text = std::make_unique<StdinText>(std::move(source.head));
  }
  return out;
}

StdinContext read_stdin_context() {
  StdinInput in = read_stdin_input();
  StdinContext out;
  out.archive = in.archive;
  if (out.archive) return out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = in.text->read(buf, sizeof buf);
    if (n < 0) throw_errno("cannot read", "stdin", static_cast<int>(-n));
    if (n == 0) return out;
    out.dockerfile_text.append(buf, static_cast<size_t>(n));
  }
}

std::shared_ptr<const ContextArchive> single_file_archive(const std::string& name, const std::string& content,
                                                          uint32_t mode) {
  auto archive = std::make_shared<ContextArchive>("stdin");
  if (!name.empty()) archive->add_file(name, content, mode);
  return archive;
}

bool is_context_archive(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st;
  bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  std::string head;
  if (regular) {
    head.resize(1024);
    ssize_t n = ::pread(fd, head.data(), head.size(), 0);
    head.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  ::close(fd);
  return regular && looks_like_archive(head);
}

namespace {

// A regular file's bytes in the spool.
class SpooledFile : public InputFile {
 public:
  SpooledFile(int fd, uint64_t offset, uint64_t size) : fd_(fd), at_(offset), end_(offset + size) {}
  ssize_t read(void* buf, size_t len) override {
    if (at_ >= end_) return 0;
    len = static_cast<size_t>(std::min<uint64_t>(len, end_ - at_));
    ssize_t n;
    do n = ::pread(fd_, buf, len, static_cast<off_t>(at_));
    while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    at_ += static_cast<uint64_t>(n);
    return n;
  }

 private:
  int fd_;
  uint64_t at_, end_;
};

}  // namespace

const std::string& archive_name(const ContextArchive& archive) { return archive.name(); }

int open_archive_file(const ContextArchive& archive, const std::string& path, std::unique_ptr<InputFile>* out,
                      FileInfo* info) {
  const uint32_t found = archive.follow(path);
  if (found == kRoot) return ENOENT;
  const Node& n = archive.node(found);
  if (n.info.type != FileType::kRegular) return EINVAL;
  if (info) *info = n.info;
  *out = std::make_unique<SpooledFile>(archive.spool(), n.offset, n.info.size);
  return 0;
}

namespace {

class ArchiveFileSystem : public FileSystem {
 public:
  ArchiveFileSystem(std::shared_ptr<const ContextArchive> archive, ArchiveUnpacking unpacking)
      : archive_(std::move(archive)), unpacking_(unpacking) {}

  Dir root() const override { return static_cast<Dir>(kRoot); }

  int open_dir(Dir parent, const std::string& name, Dir* out) override {
    const Node* n = find(parent, name);
    if (!n) return ENOENT;
    if (n->info.type != FileType::kDirectory) return n->info.type == FileType::kSymlink ? ELOOP : ENOTDIR;
    *out = static_cast<Dir>(index_of(parent, name));
    return 0;
  }
  void close_dir(Dir) override {}

  int read_dir(Dir dir, bool, std::vector<DirEntry>* out) override {
    out->clear();
    for (const auto& [name, index] : archive_->node(static_cast<uint32_t>(dir)).children) {
      FileInfo info;
      if (!view(archive_->node(index), &info)) continue;
      out->push_back(DirEntry{name, info});
    }
    return 0;
  }

  int stat(Dir parent, const std::string& name, FileInfo* out) override {
    const Node* n = find(parent, name);
    if (!n || !view(*n, out)) return ENOENT;
    return 0;
  }

  int read_link(Dir parent, const std::string& name, std::string* target) override {
    const Node* n = find(parent, name);
    if (!n) return ENOENT;
    if (n->info.type != FileType::kSymlink) return EINVAL;
    *target = n->link;
    return 0;
  }

  int open_file(Dir parent, const std::string& name, std::unique_ptr<InputFile>* out) override {
    const Node* n = find(parent, name);
    FileInfo info;
    if (!n || !view(*n, &info)) return ENOENT;
    if (info.type == FileType::kSymlink) return ELOOP;
    if (info.type != FileType::kRegular) return EINVAL;
    *out = std::make_unique<SpooledFile>(archive_->spool(), n->offset, info.size);
    return 0;
  }

  int check_readable(Dir, const std::string&, bool) override { return 0; }
  int get_xattr(Dir, const std::string&, const char*, std::string*) override { return ENODATA; }

 private:
  uint32_t index_of(Dir parent, const std::string& name) const {
    const Node& p = archive_->node(static_cast<uint32_t>(parent));
    auto it = p.children.find(name);
    return it == p.children.end() ? kRoot : it->second;
  }
  const Node* find(Dir parent, const std::string& name) const {
    const uint32_t i = index_of(parent, name);
    return i == kRoot ? nullptr : &archive_->node(i);
  }
  // The entry as this builder's unpacking leaves it; false when it is gone.
  bool view(const Node& n, FileInfo* info) const {
    *info = n.info;
    info->nlink = archive_->link_count(n);
    if (!unpacking_.special_files_as_files) return true;
    switch (n.info.type) {
      case FileType::kFifo: return false;
      case FileType::kCharDevice:
      case FileType::kBlockDevice:
        info->type = FileType::kRegular;
        info->size = 0;
        info->rdev_major = info->rdev_minor = 0;
        return true;
      default: return true;
    }
  }

  std::shared_ptr<const ContextArchive> archive_;
  ArchiveUnpacking unpacking_;
};

// The unpacked tree as a machine whose paths are relative to its root.
class ArchiveHost : public Host {
 public:
  ArchiveHost(std::shared_ptr<const ContextArchive> archive, ArchiveUnpacking unpacking)
      : archive_(std::move(archive)), unpacking_(unpacking) {}

  std::string real_path(const std::string& path) override {
    const std::string c = clean_path(path);
    if (c == ".") return "/";
    return archive_->follow(c) == kRoot ? std::string() : "/" + c;
  }
  std::unique_ptr<FileSystem> open_directory(const std::string& path) override {
    if (clean_path(path) != ".") throw Error("cannot open " + path + " in " + archive_->name() + " as the context");
    return archive_filesystem(archive_, unpacking_);
  }
  int stat(const std::string& path, FileInfo* out) override {
    const std::string c = clean_path(path);
    if (c == ".") {
      *out = FileInfo{};
      out->type = FileType::kDirectory;
      return 0;
    }
    const uint32_t found = archive_->follow(c);
    if (found == kRoot) return ENOENT;
    *out = archive_->node(found).info;
    return 0;
  }
  int check_readable(const std::string&) override { return 0; }
  int open_file(const std::string& path, std::unique_ptr<InputFile>* out) override {
    return open_archive_file(*archive_, clean_path(path), out);
  }

 private:
  std::shared_ptr<const ContextArchive> archive_;
  ArchiveUnpacking unpacking_;
};

}  // namespace

std::unique_ptr<Host> archive_host(std::shared_ptr<const ContextArchive> archive, const ArchiveUnpacking& unpacking) {
  return std::make_unique<ArchiveHost>(std::move(archive), unpacking);
}

std::unique_ptr<FileSystem> archive_filesystem(std::shared_ptr<const ContextArchive> archive,
                                               const ArchiveUnpacking& unpacking) {
  return std::make_unique<ArchiveFileSystem>(std::move(archive), unpacking);
}

}  // namespace ctxpack
