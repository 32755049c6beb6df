// An in-memory FileSystem and Host for tests: trees are declared in a
// line, and failures (unreadable directories, files that vanish) are set
// per path. A FakeHost is a whole machine; the FileSystems it opens are
// views of subtrees of it.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ctxpack/support/error.h"
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

// Every entry of a fake machine, by path from its root ("" is the root).
struct FakeTree {
  struct Node {
    FileInfo info;
    std::string content;
    std::string target;
    int open_error = 0;
  };
  std::map<std::string, Node> nodes;
  uint64_t next_ino = 1;

  static std::string parent_of(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? "" : path.substr(0, slash);
  }
  static std::string join(const std::string& dir, const std::string& name) {
    return dir.empty() ? name : dir + "/" + name;
  }
  FileInfo dir_info() {
    FileInfo info;
    info.type = FileType::kDirectory;
    info.mode = 0755;
    info.ino = next_ino++;
    return info;
  }
  Node& add(const std::string& path, FileType type, uint32_t mode) {
    for (std::string p = parent_of(path); !p.empty(); p = parent_of(p)) {
      if (!nodes.count(p)) nodes[p] = Node{dir_info()};
    }
    FileInfo info;
    info.type = type;
    info.mode = mode;
    info.ino = next_ino++;
    return nodes[path] = Node{info};
  }
};

class FakeFileSystem : public FileSystem {
 public:
  FakeFileSystem() : tree_(std::make_shared<FakeTree>()) { tree_->nodes[""] = FakeTree::Node{tree_->dir_info()}; }
  // The subtree at `root` of `tree`.
  FakeFileSystem(std::shared_ptr<FakeTree> tree, std::string root) : tree_(std::move(tree)), handles_{root} {}

  // Adds a regular file (and its parent directories).
  FakeFileSystem& file(const std::string& path, const std::string& content = "", uint32_t mode = 0644) {
    FakeTree::Node& n = tree_->add(full(path), FileType::kRegular, mode);
    n.info.size = content.size();
    n.content = content;
    return *this;
  }
  FakeFileSystem& dir(const std::string& path, uint32_t mode = 0755) {
    tree_->add(full(path), FileType::kDirectory, mode);
    return *this;
  }
  FakeFileSystem& symlink(const std::string& path, const std::string& target) {
    FakeTree::Node& n = tree_->add(full(path), FileType::kSymlink, 0777);
    n.info.size = target.size();
    n.target = target;
    return *this;
  }
  FakeFileSystem& special(const std::string& path, FileType type) {
    tree_->add(full(path), type, 0644);
    return *this;
  }
  // Makes opening `path` fail with `err` (as for an unreadable directory).
  FakeFileSystem& fail_open(const std::string& path, int err = EACCES) {
    tree_->nodes.at(full(path)).open_error = err;
    return *this;
  }

  // Directories the walk opened, in order: to prove pruning.
  const std::vector<std::string>& opened() const { return opened_; }

  Dir root() const override { return 0; }

  int open_dir(Dir parent, const std::string& name, Dir* out) override {
    std::string path = FakeTree::join(handles_.at(parent), name);
    const FakeTree::Node* n = find(path);
    if (!n) return ENOENT;
    if (n->info.type != FileType::kDirectory) return ENOTDIR;
    if (n->open_error) return n->open_error;
    opened_.push_back(path);
    handles_.push_back(path);
    *out = static_cast<Dir>(handles_.size() - 1);
    return 0;
  }
  void close_dir(Dir) override {}
  int read_dir(Dir dir, bool, std::vector<DirEntry>* out) override {
    out->clear();
    const std::string& base = handles_.at(dir);
    for (const auto& [path, node] : tree_->nodes) {
      if (path.empty() || FakeTree::parent_of(path) != base) continue;
      out->push_back(DirEntry{path.substr(base.empty() ? 0 : base.size() + 1), node.info});
    }
    // Reverse, so that tests prove the walk sorts.
    std::reverse(out->begin(), out->end());
    return 0;
  }
  int stat(Dir parent, const std::string& name, FileInfo* out) override {
    const FakeTree::Node* n = find(FakeTree::join(handles_.at(parent), name));
    if (!n) return ENOENT;
    *out = n->info;
    return 0;
  }
  int read_link(Dir parent, const std::string& name, std::string* target) override {
    const FakeTree::Node* n = find(FakeTree::join(handles_.at(parent), name));
    if (!n) return ENOENT;
    if (n->info.type != FileType::kSymlink) return EINVAL;
    *target = n->target;
    return 0;
  }
  int open_file(Dir parent, const std::string& name, std::unique_ptr<InputFile>* out) override {
    return open(find(FakeTree::join(handles_.at(parent), name)), out);
  }
  int check_readable(Dir parent, const std::string& name, bool) override {
    const FakeTree::Node* n = find(FakeTree::join(handles_.at(parent), name));
    return n ? n->open_error : ENOENT;
  }
  int get_xattr(Dir, const std::string&, const char*, std::string*) override { return ENODATA; }

  // An open regular file, as FileSystem::open_file promises.
  static int open(const FakeTree::Node* n, std::unique_ptr<InputFile>* out) {
    if (!n) return ENOENT;
    if (n->info.type == FileType::kSymlink) return ELOOP;
    if (n->info.type != FileType::kRegular) return EINVAL;
    if (n->open_error) return n->open_error;
    *out = std::make_unique<StringInputFile>(n->content);
    return 0;
  }

 private:
  std::string full(const std::string& path) const { return FakeTree::join(handles_[0], path); }
  const FakeTree::Node* find(const std::string& path) const {
    auto it = tree_->nodes.find(path);
    return it == tree_->nodes.end() ? nullptr : &it->second;
  }

  std::shared_ptr<FakeTree> tree_;
  std::vector<std::string> handles_{""};
  std::vector<std::string> opened_;
};

// A machine: absolute paths, a working directory, symlinks followed.
class FakeHost : public Host {
 public:
  explicit FakeHost(std::string cwd = "/work") : cwd_(std::move(cwd)), machine_(tree_, "") {
    tree_->nodes[""] = FakeTree::Node{tree_->dir_info()};
    machine_.dir(cwd_.substr(1));
  }

  // The whole machine, to add entries to ("work/ctx/a" is /work/ctx/a).
  FakeFileSystem& machine() { return machine_; }

  std::string real_path(const std::string& path) override {
    const std::string p = resolve(path);
    return p == kMissing ? "" : "/" + p;
  }
  std::unique_ptr<FileSystem> open_directory(const std::string& path) override {
    const std::string p = resolve(path);
    if (p == kMissing) throw_errno("cannot open context", path, ENOENT);
    if (tree_->nodes.at(p).info.type != FileType::kDirectory) throw Error("context " + path + " is not a directory");
    return std::make_unique<FakeFileSystem>(tree_, p);
  }
  int stat(const std::string& path, FileInfo* out) override {
    const std::string p = resolve(path);
    if (p == kMissing) return ENOENT;
    *out = tree_->nodes.at(p).info;
    return 0;
  }
  int check_readable(const std::string& path) override {
    const std::string p = resolve(path);
    return p == kMissing ? ENOENT : tree_->nodes.at(p).open_error;
  }
  int open_file(const std::string& path, std::unique_ptr<InputFile>* out) override {
    const std::string p = resolve(path);
    return FakeFileSystem::open(p == kMissing ? nullptr : &tree_->nodes.at(p), out);
  }

 private:
  static constexpr const char* kMissing = "\n";

  // The tree path `path` leads to, symlinks followed; kMissing if none.
  std::string resolve(const std::string& path, int hops = 0) const {
    if (hops > 40) return kMissing;
    const std::string abs = path.starts_with("/") ? path : cwd_ + "/" + path;
    std::vector<std::string> done;
    size_t i = 1;
    while (i <= abs.size()) {
      size_t j = std::min(abs.find('/', i), abs.size());
      std::string part = abs.substr(i, j - i);
      std::string rest = j < abs.size() ? abs.substr(j) : "";
      i = j + 1;
      if (part.empty() || part == ".") continue;
      if (part == "..") {
        if (!done.empty()) done.pop_back();
        continue;
      }
      std::string here;
      for (const auto& d : done) here = FakeTree::join(here, d);
      auto it = tree_->nodes.find(FakeTree::join(here, part));
      if (it == tree_->nodes.end()) return kMissing;
      if (it->second.info.type == FileType::kSymlink) {
        const std::string& t = it->second.target;
        return resolve((t.starts_with("/") ? t : "/" + FakeTree::join(here, t)) + rest, hops + 1);
      }
      done.push_back(part);
    }
    std::string out;
    for (const auto& d : done) out = FakeTree::join(out, d);
    return out;
  }

  std::string cwd_;
  std::shared_ptr<FakeTree> tree_ = std::make_shared<FakeTree>();
  FakeFileSystem machine_;
};

}  // namespace ctxpack::testing
