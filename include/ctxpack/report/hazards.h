// What is risky to send: secret-prone files, a .git directory, symlinks
// that dangle or leave the context, unreadable entries, special files.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/builders/builder.h"
#include "ctxpack/context/walk.h"
#include "ctxpack/context/context.h"
#include "ctxpack/report/finding.h"
#include "ctxpack/report/secrets.h"

namespace ctxpack {

// What the build does with the context's paths, as far as its Dockerfile
// tells; where it cannot tell, the answers assume the path is used.
struct BuildUse {
  // Whether the builder receives the path at all (BuildKit transfers only
  // what the Dockerfile's sources name).
  std::function<bool(std::string_view)> moved = [](std::string_view) { return true; };
  // The line of a COPY/ADD that puts the path into a stage before a RUN
  // there, or of a RUN that mounts it: a command could read it. nullopt
  // when none does; 0 when the Dockerfile could not be read.
  std::function<std::optional<size_t>(std::string_view)> read_by_run = [](std::string_view) {
    return std::optional<size_t>(0);
  };
};

// Hazards among the entries of a walk: secret-prone files, a .git
// directory, symlinks that dangle or leave the context, unreadable
// entries, special files. Give it every entry (sent or not) of a walk with
// WalkOptions::stat.
class HazardScanner {
 public:
  // `ctx` is the context being walked (its file system, builder and rules);
  // `use` says what the build does with a sent path: what stays behind is
  // an info at most.
  HazardScanner(const BuildContext& ctx, BuildUse use);
  void observe(const WalkEntry& e);
  std::vector<Finding> finish();

 private:
  bool may_be_unreadable(const FileInfo& info) const;
  void check_symlink(const WalkEntry& e);
  void check_git_dir(const WalkEntry& e);
  // Lowers `f` to an info when the build leaves its path behind; whether it did.
  bool left_behind(Finding& f) const;
  std::string keep_out(const std::string& remedy) const;

  FileSystem& fs_;
  const BuildContext& ctx_;
  BuildUse use_;
  SecretScanner secrets_;
  uint32_t euid_;
  std::vector<uint32_t> groups_;
  std::vector<Finding> findings_;
};

// Where a symlink at `link_path` (in the context) with `target` ends up,
// resolved inside the context through `fs` without ever leaving it.
enum class LinkStatus { kInside, kDangling, kOutside, kLoop };
LinkStatus resolve_symlink(FileSystem& fs, std::string_view link_path, std::string_view target);

}  // namespace ctxpack
