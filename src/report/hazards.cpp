#include "ctxpack/report/hazards.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "ctxpack/output/format.h"
#include "ctxpack/report/secrets.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

LinkStatus resolve_symlink(FileSystem& fs, std::string_view link_path, std::string_view target) {
  if (target.empty()) return LinkStatus::kDangling;
  if (target[0] == '/') return LinkStatus::kOutside;
  // Components still to resolve, last first; the directories resolved so far.
  std::vector<std::string> todo;
  auto push_components = [&todo](std::string_view p) {
    std::vector<std::string> parts = path_components(p);
    todo.insert(todo.end(), parts.rbegin(), parts.rend());
  };
  push_components(target);
  std::vector<DirHandle> dirs;  // open handles of the resolved directories below the root
  push_components(parent_path(link_path));
  int hops = 0;
  while (!todo.empty()) {
    std::string comp = std::move(todo.back());
    todo.pop_back();
    if (comp == ".") continue;
    if (comp == "..") {
      if (dirs.empty()) return LinkStatus::kOutside;
      dirs.pop_back();
      continue;
    }
    FileSystem::Dir here = dirs.empty() ? fs.root() : dirs.back().get();
    FileInfo info;
    if (fs.stat(here, comp, &info) != 0) return LinkStatus::kDangling;
    if (info.type == FileType::kSymlink) {
      if (++hops > 40) return LinkStatus::kLoop;
      std::string next;
      if (fs.read_link(here, comp, &next) != 0 || next.empty()) return LinkStatus::kDangling;
      if (next[0] == '/') return LinkStatus::kOutside;
      push_components(next);
      continue;
    }
    if (todo.empty()) return LinkStatus::kInside;
    if (info.type != FileType::kDirectory) return LinkStatus::kDangling;
    FileSystem::Dir sub;
    if (fs.open_dir(here, comp, &sub) != 0) return LinkStatus::kDangling;
    dirs.emplace_back(fs, sub);
  }
  return LinkStatus::kInside;
}

HazardScanner::HazardScanner(FileSystem& fs, const Builder& builder)
    : fs_(fs), builder_(builder), euid_(::geteuid()) {
  int n = ::getgroups(0, nullptr);
  std::vector<gid_t> gids(n > 0 ? n : 0);
  if (n > 0 && ::getgroups(n, gids.data()) == n) groups_.assign(gids.begin(), gids.end());
  groups_.push_back(::getegid());
}

// From the mode bits: a file they say we can read is taken as readable
// (saves an open per file); the others are tried.
bool HazardScanner::may_be_unreadable(const FileInfo& info) const {
  if (euid_ == 0) return false;
  if (info.uid == euid_) return (info.mode & 0400) == 0;
  if (std::find(groups_.begin(), groups_.end(), info.gid) != groups_.end()) return (info.mode & 0040) == 0;
  return (info.mode & 0004) == 0;
}

std::string HazardScanner::read_head(const WalkEntry& e) {
  std::unique_ptr<InputFile> in;
  if (fs_.open_file(e.dir, e.entry->name, &in) != 0) return {};
  std::string head(64 * 1024, '\0');
  size_t got = 0;
  while (got < head.size()) {
    ssize_t n = in->read(head.data() + got, head.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  head.resize(got);
  return head;
}

void HazardScanner::check_symlink(const WalkEntry& e) {
  std::string target;
  if (fs_.read_link(e.dir, e.entry->name, &target) != 0) return;
  LinkStatus status = resolve_symlink(fs_, e.path, target);
  Finding f;
  f.path = std::string(e.path);
  f.severity = Severity::kWarning;
  switch (status) {
    case LinkStatus::kInside:
      return;
    case LinkStatus::kDangling:
      f.code = "symlink-dangling";
      f.message = "symlink to " + quote_path(target) + " points to nothing in the context; COPY of it fails";
      break;
    case LinkStatus::kLoop:
      f.code = "symlink-dangling";
      f.message = "symlink to " + quote_path(target) + " loops; COPY of it fails";
      break;
    case LinkStatus::kOutside:
      f.code = "symlink-outside";
      f.message = "symlink to " + quote_path(target) +
                  " points outside the context: it is sent as a link, and COPY cannot follow it out of the context";
      break;
  }
  findings_.push_back(std::move(f));
}

void HazardScanner::observe(const WalkEntry& e) {
  const FileInfo& info = e.entry->info;
  const bool is_dir = info.type == FileType::kDirectory;
  auto add = [&](Severity sev, const char* code, std::string message) {
    findings_.push_back(Finding{sev, code, std::move(message), display_path(e.path, is_dir), std::nullopt, false});
  };
  auto unreadable = [&]() {
    if (!may_be_unreadable(info)) return false;
    int err = fs_.check_readable(e.dir, e.entry->name);
    return err == EACCES || err == EPERM;
  };

  if (info.type == FileType::kSocket) {
    if (!e.verdict.excluded) add(Severity::kInfo, "special-file", "a socket: Docker leaves it out of the context");
    return;
  }
  if (!e.sent) {
    // The classic CLI lists every directory it reaches before asking
    // whether it is excluded.
    if (builder_.validates_excluded_directories() && is_dir && !e.pruned && !e.verdict.via_parent &&
        unreadable()) {
      add(Severity::kError, "unreadable",
          "excluded, but the legacy builder's pre-flight check cannot list it and fails the build (can't stat)");
    }
    return;
  }
  switch (info.type) {
    case FileType::kDirectory:
      if (e.entry->name == ".git") {
        add(Severity::kWarning, "git-dir",
            "the git repository is sent (its whole history, and any credentials in .git/config); add \".git\" to "
            ".dockerignore");
      }
      if (unreadable()) add(Severity::kError, "unreadable", "directory cannot be read: the build fails on it");
      break;
    case FileType::kRegular: {
      if (unreadable()) {
        add(Severity::kError, "unreadable", "file cannot be read: the build fails on it");
        break;
      }
      SecretKind kind = classify_secret(e.path, [&] { return read_head(e); });
      if (kind.what)
        add(kind.severity, "secret-file", std::string(kind.what) + " is sent; exclude it in .dockerignore");
      break;
    }
    case FileType::kSymlink:
      check_symlink(e);
      break;
    case FileType::kFifo:
      add(Severity::kWarning, "special-file", "a FIFO is sent (as a FIFO: COPY recreates it, never its data)");
      break;
    case FileType::kCharDevice:
    case FileType::kBlockDevice:
      add(Severity::kWarning, "special-file", "a device node is sent");
      break;
    case FileType::kSocket:
    case FileType::kUnknown:
      break;
  }
}

}  // namespace ctxpack
