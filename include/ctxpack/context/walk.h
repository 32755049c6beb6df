// Walking the context the way a builder selects what to send.
//
// Every walk visits entries in Docker's order: pre-order, the entries of a
// directory in byte-wise lexical order, the root itself not emitted. What
// differs between builders is how an excluded directory is treated, which
// the builder's WalkRules say (builders/builder.h): whether it is opened at
// all, whether it is sent itself when something below it is kept (just
// before the first such entry, with its real metadata), whether unreadable
// directories being skipped are tolerated, and whether sockets are sent.
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

// Walks with the rules and builder of `ctx`, after the builder's client
// checks (skipped with `keep_going`: an audit reports what they would
// refuse instead of stopping at the first). Throws Error where the builder fails (a
// malformed pattern, an unreadable path it needs).
void walk_context(BuildContext& ctx, const WalkOptions& options, WalkVisitor& visitor);
// The same for any tree and rules.
void walk(FileSystem& fs, const Matcher& matcher, const Builder& builder, const WalkOptions& options,
          WalkVisitor& visitor);

// A malformed pattern fails the build only when the walk reaches it. Walks
// without visiting anything when there is one, so that commands can refuse
// before printing or writing anything; throws Error as walk_context does.
void check_context(BuildContext& ctx);

// Whether some exception's text (less a trailing "/**" then "/*" with
// `strip_glob`, as fsutil trims them) starts with `dir` + "/" or is `dir`:
// the literal test both Docker builders use to decide whether an excluded
// directory might hold something re-included.
bool exception_reaches_into(const Matcher& matcher, std::string_view dir, bool strip_glob);

}  // namespace ctxpack
