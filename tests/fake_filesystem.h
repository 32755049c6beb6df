// An in-memory FileSystem for tests: trees are declared in a line, and
// failures (unreadable directories, files that vanish) are set per path.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ctxpack/support/filesystem.h"

namespace ctxpack::testing {

// An open file whose bytes are a string (its length need not match any
// size a header announced).
class StringInputFile : public InputFile {
 public:
  explicit StringInputFile(std::string data) : data_(std::move(data)) {}
  ssize_t read(void* buf, size_t len) override {
    size_t n = std::min(len, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

class FakeFileSystem : public FileSystem {
 public:
  FakeFileSystem() { nodes_[""] = Node{dir_info()}; }

  // Adds a regular file (and its parent directories).
  FakeFileSystem& file(const std::string& path, const std::string& content = "", uint32_t mode = 0644) {
    add_parents(path);
    FileInfo info;
    info.type = FileType::kRegular;
    info.mode = mode;
    info.size = content.size();
    info.ino = next_ino_++;
    nodes_[path] = Node{info, content};
    return *this;
  }
  FakeFileSystem& dir(const std::string& path, uint32_t mode = 0755) {
    add_parents(path);
    FileInfo info = dir_info();
    info.mode = mode;
    nodes_[path] = Node{info};
    return *this;
  }
  FakeFileSystem& symlink(const std::string& path, const std::string& target) {
    add_parents(path);
    FileInfo info;
    info.type = FileType::kSymlink;
    info.mode = 0777;
    info.size = target.size();
    info.ino = next_ino_++;
    nodes_[path] = Node{info, "", target};
    return *this;
  }
  FakeFileSystem& special(const std::string& path, FileType type) {
    add_parents(path);
    FileInfo info;
    info.type = type;
    info.mode = 0644;
    info.ino = next_ino_++;
    nodes_[path] = Node{info};
    return *this;
  }
  // Makes opening `path` fail with `err` (as for an unreadable directory).
  FakeFileSystem& fail_open(const std::string& path, int err = EACCES) {
    nodes_.at(path).open_error = err;
    return *this;
  }

  // Directories the walk opened, in order: to prove pruning.
  const std::vector<std::string>& opened() const { return opened_; }

  Dir root() const override { return 0; }

  int open_dir(Dir parent, const std::string& name, Dir* out) override {
    std::string path = join(handles_.at(parent), name);
    auto it = nodes_.find(path);
    if (it == nodes_.end()) return ENOENT;
    if (it->second.info.type != FileType::kDirectory) return ENOTDIR;
    if (it->second.open_error) return it->second.open_error;
    opened_.push_back(path);
    handles_.push_back(path);
    *out = static_cast<Dir>(handles_.size() - 1);
    return 0;
  }
  void close_dir(Dir) override {}
  int read_dir(Dir dir, bool, std::vector<DirEntry>* out) override {
    out->clear();
    const std::string& base = handles_.at(dir);
    for (const auto& [path, node] : nodes_) {
      if (path.empty() || parent_of(path) != base) continue;
      out->push_back(DirEntry{path.substr(base.empty() ? 0 : base.size() + 1), node.info});
    }
    // Reverse, so that tests prove the walk sorts.
    std::reverse(out->begin(), out->end());
    return 0;
  }
  int stat(Dir parent, const std::string& name, FileInfo* out) override {
    auto it = nodes_.find(join(handles_.at(parent), name));
    if (it == nodes_.end()) return ENOENT;
    *out = it->second.info;
    return 0;
  }
  int read_link(Dir parent, const std::string& name, std::string* target) override {
    auto it = nodes_.find(join(handles_.at(parent), name));
    if (it == nodes_.end()) return ENOENT;
    if (it->second.info.type != FileType::kSymlink) return EINVAL;
    *target = it->second.target;
    return 0;
  }
  int open_file(Dir parent, const std::string& name, std::unique_ptr<InputFile>* out) override {
    auto it = nodes_.find(join(handles_.at(parent), name));
    if (it == nodes_.end()) return ENOENT;
    if (it->second.info.type == FileType::kSymlink) return ELOOP;
    if (it->second.info.type != FileType::kRegular) return EINVAL;
    if (it->second.open_error) return it->second.open_error;
    *out = std::make_unique<StringInputFile>(it->second.content);
    return 0;
  }
  int check_readable(Dir parent, const std::string& name) override {
    auto it = nodes_.find(join(handles_.at(parent), name));
    if (it == nodes_.end()) return ENOENT;
    return it->second.open_error;
  }
  int get_xattr(Dir, const std::string&, const char*, std::string*) override { return ENODATA; }

 private:
  struct Node {
    FileInfo info;
    std::string content;
    std::string target;
    int open_error = 0;
  };

  FileInfo dir_info() {
    FileInfo info;
    info.type = FileType::kDirectory;
    info.mode = 0755;
    info.ino = next_ino_++;
    return info;
  }
  static std::string parent_of(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? "" : path.substr(0, slash);
  }
  static std::string join(const std::string& dir, const std::string& name) {
    return dir.empty() ? name : dir + "/" + name;
  }
  void add_parents(const std::string& path) {
    for (std::string p = parent_of(path); !p.empty(); p = parent_of(p)) {
      if (!nodes_.count(p)) nodes_[p] = Node{dir_info()};
    }
  }

  std::map<std::string, Node> nodes_;
  std::vector<std::string> handles_{""};
  std::vector<std::string> opened_;
  uint64_t next_ino_ = 1;
};

}  // namespace ctxpack::testing
