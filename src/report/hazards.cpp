#include "ctxpack/report/hazards.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "ctxpack/output/format.h"
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

HazardScanner::HazardScanner(const BuildContext& ctx, BuildUse use)
    : fs_(*ctx.fs), ctx_(ctx), use_(std::move(use)), secrets_(*ctx.fs, ctx.dir), euid_(::geteuid()) {
  int n = ::getgroups(0, nullptr);
  std::vector<gid_t> gids(n > 0 ? n : 0);
  if (n > 0 && ::getgroups(n, gids.data()) == n) groups_.assign(gids.begin(), gids.end());
  groups_.push_back(::getegid());
}

// From the mode bits: a file they say we can read is taken as readable
// (saves an open per file); the others are tried.
bool HazardScanner::may_be_unreadable(const FileInfo& info) const {
  if (euid_ == 0) return false;
  // For a directory, read and search (look inside).
  const uint32_t need = info.type == FileType::kDirectory ? 05 : 04;
  if (info.uid == euid_) return (info.mode >> 6 & need) != need;
  if (std::find(groups_.begin(), groups_.end(), info.gid) != groups_.end()) return (info.mode >> 3 & need) != need;
  return (info.mode & need) != need;
}

namespace {

// The exception that keeps a path, if one decided it.
const Rule* reincluding(const Verdict& v) {
  return v.rule && v.rule->origin == RuleOrigin::kFile && v.rule->pattern.starts_with("!") ? v.rule : nullptr;
}

}  // namespace

std::vector<Finding> HazardScanner::finish() {
  for (SecretScanner::Result& r : secrets_.finish()) {
    const SecretVerdict& v = r.verdict;
    Finding f;
    f.severity = v.severity;
    f.code = "secret-file";
    f.path = r.path;
    std::string why = v.why;
    if (left_behind(f)) why = std::string(ctx_.builder->subject()) + " does not transfer it for this Dockerfile";
    f.message = describe(v) + " is sent" + (why.empty() ? "" : " (" + why + ")") +
                (f.severity == Severity::kInfo ? "" : "; " + keep_out("exclude it in .dockerignore"));
    f.rule = std::move(r.rule);
    findings_.push_back(std::move(f));
  }
  return std::move(findings_);
}

// Where no ignore file applies, the remedy is a smaller archive or repository.
std::string HazardScanner::keep_out(const std::string& remedy) const {
  if (ctx_.ignore_file_applies) return remedy;
  return ctx_.archive ? "leave it out of the archive (no ignore file applies to one)"
                      : "remove it from the repository (" + std::string(ctx_.builder->subject()) +
                            " applies no ignore file to a git context)";
}

bool HazardScanner::left_behind(Finding& f) const {
  if (f.severity == Severity::kInfo || use_.moved(std::string_view(f.path).substr(0, f.path.find_last_not_of('/') + 1))) {
    return false;
  }
  f.severity = Severity::kInfo;
  return true;
}

// A sent .git is history and credentials nobody needs in an image, unless
// the build reads it: an exception sends it on purpose, or a RUN after the
// COPY that brings it could (a Makefile stamping the commit).
void HazardScanner::check_git_dir(const WalkEntry& e) {
  Finding f;
  f.code = "git-dir";
  f.path = display_path(e.path, true);
  const std::optional<size_t> read = use_.read_by_run(e.path);
  if (const Rule* keep = reincluding(e.verdict)) {
    f.severity = Severity::kInfo;
    f.message = "the git repository is sent on purpose";
    f.rule = *keep;
  } else if (read) {
    f.severity = Severity::kInfo;
    f.message = "the git repository is sent, and a RUN " +
                (*read ? "after line " + std::to_string(*read) + " " : std::string()) +
                "could read it; if the build does not use it (version stamps), " + keep_out("add \".git\" to .dockerignore");
  } else {
    f.severity = Severity::kWarning;
    f.message =
        "the git repository is sent (its whole history, and any credentials in .git/config); " +
        keep_out("add \".git\" to .dockerignore");
    if (left_behind(f)) {
      f.message = "the git repository is sent, but " + std::string(ctx_.builder->subject()) +
                  " does not transfer it for this Dockerfile";
    }
  }
  findings_.push_back(std::move(f));
}

void HazardScanner::check_symlink(const WalkEntry& e) {
  std::string target;
  if (fs_.read_link(e.dir, e.entry->name, &target) != 0) return;
  LinkStatus status = resolve_symlink(fs_, e.path, target);
  Finding f;
  f.path = std::string(e.path);
  // A directory copy keeps such a link as it is: only a COPY that names it
  // fails, which `ctxpack copy` reports where it happens.
  f.severity = Severity::kInfo;
  switch (status) {
    case LinkStatus::kInside:
      return;
    case LinkStatus::kDangling:
      f.code = "symlink-dangling";
      f.message = "symlink to " + quote_path(target) + " points to nothing in the context; a COPY that names it fails";
      break;
    case LinkStatus::kLoop:
      f.code = "symlink-dangling";
      f.message = "symlink to " + quote_path(target) + " loops; a COPY that names it fails";
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
    // A directory whose entries are sent is stat'd inside too.
    int err = fs_.check_readable(e.dir, e.entry->name, is_dir && e.sent);
    return err == EACCES || err == EPERM;
  };

  if (info.type == FileType::kSocket) {
    if (!e.verdict.excluded) {
      add(Severity::kInfo, "special-file",
          ctx_.walk.send_sockets ? "a socket: " + std::string(ctx_.builder->subject()) +
                                       " transfers it as an empty file; a tar (pack, the classic builder) cannot hold it"
                                 : "a socket: " + std::string(ctx_.builder->subject()) + " leaves it out");
    }
    return;
  }
  if (!e.sent) {
    // The classic CLI lists every directory it reaches before asking
    // whether it is excluded.
    if (ctx_.builder->validates_excluded_directories() && is_dir && !e.pruned && !e.verdict.via_parent &&
        unreadable()) {
      add(Severity::kError, "unreadable",
          "excluded, but the legacy builder's pre-flight check cannot list it and fails the build (can't stat)");
    }
    return;
  }
  switch (info.type) {
    case FileType::kDirectory:
      if (e.entry->name == ".git") check_git_dir(e);
      if (unreadable()) add(Severity::kError, "unreadable", "directory cannot be read: the build fails on it");
      break;
    case FileType::kRegular: {
      if (unreadable()) {
        add(Severity::kError, "unreadable", "file cannot be read: the build fails on it");
        break;
      }
      secrets_.consider(e.path, e.dir, e.entry->name, reincluding(e.verdict));
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
