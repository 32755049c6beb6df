// Walking the context the way each builder selects what to send.
//
// Both walks visit entries in Docker's order: pre-order, the entries of a
// directory in byte-wise lexical order, the root itself not emitted. They
// differ in how they treat an excluded directory:
//  - BuildKit (fsutil) walks into it whenever an exception could re-include
//    something below, honouring wildcard exceptions, and sends the excluded
//    directory itself (with its real metadata) just before the first
//    descendant it keeps. Unreadable paths it is skipping are tolerated.
//  - The legacy CLI walks into it only when an exception's literal text
//    starts with the directory's path, never sends the directory itself,
//    and before walking it refuses unreadable files and directories
//    (validate_legacy_context).
// A directory that provably cannot contribute is never opened, and memory
// is bounded by the depth and width of the tree, not its size.
#pragma once

#include <string>
#include <string_view>

#include "ctxpack/context/context.h"
#include "ctxpack/support/filesystem.h"
#include "ctxpack/rules/matcher.h"

namespace ctxpack {

struct WalkEntry {
  std::string_view path;  // relative, '/'-separated, no trailing slash
  const DirEntry* entry;  // name and lstat data
  FileSystem::Dir dir;    // the open directory holding it, to open or readlink it
  Verdict verdict;        // the rules' decision for this path
  bool sent = true;       // false only for entries visited because of WalkOptions::include_excluded
  bool pruned = false;    // not sent because a parent directory was never walked into
};

class WalkVisitor {
 public:
  virtual ~WalkVisitor() = default;
  virtual void visit(const WalkEntry& e) = 0;
  // Something Docker tolerates but the user should know (an unreadable
  // directory BuildKit skips, a file that vanished mid-walk).
  virtual void warning(const std::string& message) = 0;
};

struct WalkOptions {
  bool stat = false;              // full lstat data for every entry (else only the type)
  bool include_excluded = false;  // also visit what is not sent, walking into pruned directories
  // Where the builder fails on a directory it cannot read, warn and go on
  // instead of throwing: an audit reports every such directory, not the first.
  bool keep_going = false;
};

// Walks with the rules and builder of `ctx`. Throws Error where the builder
// fails (a malformed pattern, an unreadable path it needs).
void walk_context(BuildContext& ctx, const WalkOptions& options, WalkVisitor& visitor);

void walk_buildkit(FileSystem& fs, const Matcher& matcher, const WalkOptions& options, WalkVisitor& visitor);
void walk_legacy(FileSystem& fs, const Matcher& matcher, const WalkOptions& options, WalkVisitor& visitor);

// The docker CLI's pre-flight check (ValidateContextDirectory): every
// directory it reaches must be readable, even an excluded one, and every
// file it keeps must open. Throws Error "checking context: ..." otherwise.
void validate_legacy_context(FileSystem& fs, const Matcher& matcher);

// BuildKit prunes an excluded directory only when every exception, less a
// trailing "/**" or "/*", is free of wildcards.
bool buildkit_can_prune_by_prefix(const Matcher& matcher);

// Whether some exception's text (as `strip_glob` leaves it) starts with
// `dir` + "/": the literal test both builders use to decide whether an
// excluded directory might hold something re-included.
bool exception_reaches_into(const Matcher& matcher, std::string_view dir, bool strip_glob);

}  // namespace ctxpack
