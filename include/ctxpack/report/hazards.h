// What is risky to send: secret-prone files, a .git directory, symlinks
// that dangle or leave the context, unreadable entries, special files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/builders/builder.h"
#include "ctxpack/context/walk.h"
#include "ctxpack/report/finding.h"

namespace ctxpack {

// Hazards among the entries of a walk: secret-prone files, a .git
// directory, symlinks that dangle or leave the context, unreadable
// entries, special files. Give it every entry (sent or not) of a walk with
// WalkOptions::stat.
class HazardScanner {
 public:
  HazardScanner(FileSystem& fs, const Builder& builder);
  void observe(const WalkEntry& e);
  std::vector<Finding> finish() { return std::move(findings_); }

 private:
  bool may_be_unreadable(const FileInfo& info) const;
  void check_symlink(const WalkEntry& e);
  std::string read_head(const WalkEntry& e);

  FileSystem& fs_;
  const Builder& builder_;
  uint32_t euid_;
  std::vector<uint32_t> groups_;
  std::vector<Finding> findings_;
};

// Where a symlink at `link_path` (in the context) with `target` ends up,
// resolved inside the context through `fs` without ever leaving it.
enum class LinkStatus { kInside, kDangling, kOutside, kLoop };
LinkStatus resolve_symlink(FileSystem& fs, std::string_view link_path, std::string_view target);

}  // namespace ctxpack
