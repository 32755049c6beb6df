// Pieces shared by the two builders' walks (private to src/).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "ctxpack/support/filesystem.h"
#include "ctxpack/rules/matcher.h"
#include "ctxpack/context/walk.h"

namespace ctxpack::detail {

// One directory on the walk's stack.
struct Frame {
  Frame(FileSystem& fs, FileSystem::Dir dir) : handle(fs, dir) {}
  DirHandle handle;
  std::vector<DirEntry> entries;  // sorted by name, byte-wise
  size_t next = 0;
  size_t path_len = 0;  // length of this directory's path plus '/' (0 at the root)
  Matcher::Trail trail;
  bool has_trail = false;          // false at the root: Docker passes no parent results there
  const DirEntry* self = nullptr;  // this directory's own entry (in the parent frame)
  Verdict verdict;                 // the rules' decision for this directory
  bool emitted = true;             // BuildKit: sent already (excluded ones are sent lazily)
  bool pruned = false;             // not walked by the builder; visited only for include_excluded
};

// Opens and lists `name` in `parent`, sorted; returns 0 or errno.
int open_listing(FileSystem& fs, FileSystem::Dir parent, const std::string& name, bool stat, Frame** out,
                 std::vector<Frame>& stack);

// Lists the root directory onto an empty stack. Throws Error on failure.
void push_root(FileSystem& fs, bool stat, std::vector<Frame>& stack);

// What distinguishes one builder's walk from the other's.
struct WalkPolicy {
  // Whether an excluded directory is left unopened.
  bool (*prune)(const Matcher& matcher, std::string_view dir, bool prefix_only);
  // BuildKit sends an excluded directory when it keeps something inside;
  // the legacy walk never does.
  bool send_excluded_parents;
  // BuildKit ignores permission errors on directories it is skipping; the
  // legacy walk only logs unreadable directories (validation has already
  // refused them).
  bool tolerate_unreadable_excluded;
  // Go's tar writer cannot store sockets; the classic CLI logs and skips them.
  bool send_sockets;
  const char* name;
};

void walk_tree(FileSystem& fs, const Matcher& matcher, const WalkOptions& options, WalkVisitor& visitor,
               const WalkPolicy& policy);

// Sets `path` to the path of entry `name` in directory frame `f`.
inline void set_entry_path(std::string& path, const Frame& f, const std::string& name) {
  path.resize(f.path_len);
  if (f.path_len) path[f.path_len - 1] = '/';
  path += name;
}

inline bool is_permission_error(int err) { return err == EACCES || err == EPERM; }

}  // namespace ctxpack::detail
