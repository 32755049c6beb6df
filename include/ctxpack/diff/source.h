// One side of a diff: the entries a context sends, pulled one at a time in
// Docker's order, from a live walk of a directory or from a saved
// `ls --json` listing.
//
// Both kinds yield entries in the same order (pre-order, each directory's
// entries byte-wise by name), so two sources can be merged as streams
// without holding either in memory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ctxpack/context/context.h"
#include "ctxpack/support/filesystem.h"

namespace ctxpack {

struct SourceEntry {
  std::string path;  // relative, '/'-separated, no trailing slash
  FileType type = FileType::kUnknown;
  uint32_t mode = 0;
  uint64_t size = 0;
  bool has_mtime = false;  // a listing records none
  int64_t mtime_sec = 0;
  uint32_t mtime_nsec = 0;
  std::string target;  // a symlink's target
  std::string rule;    // the rule that decided the entry ("FILE:LINE:TEXT"), "" for none
};

class EntrySource {
 public:
  virtual ~EntrySource() = default;
  // The next entry in Docker's order; false at the end. Throws Error where
  // the walk or the listing fails.
  virtual bool next(SourceEntry& out) = 0;
  // The content of a regular file this source yielded; null when the
  // source has no contents (a listing). Throws Error when it cannot be read.
  virtual std::unique_ptr<InputFile> open(const SourceEntry& entry) = 0;
  // How the user named it, for messages.
  virtual const std::string& name() const = 0;
  // The rule ("FILE:LINE:TEXT") that keeps `path` out of this context
  // although it is there: what changed a path's verdict when the other
  // side sends it. "" when the path is not there, no rule keeps it out, or
  // the source cannot tell (a listing).
  virtual std::string excluded_by(const std::string& /*path*/) { return ""; }
};

using WarningSink = std::function<void(const std::string&)>;

// The context a builder would send from a directory. The walk runs on a
// thread of its own and hands entries over in small batches, so memory is
// that of the walk (depth and width) plus one batch. `warn` may be called
// from that thread.
std::unique_ptr<EntrySource> directory_source(const ContextOptions& options, WarningSink warn);

// A listing saved with `ctxpack ls --json` (one object per line), read
// line by line from `file`. Throws Error from next() naming the line for
// anything that is not such a listing, including entries out of order.
std::unique_ptr<EntrySource> listing_source(std::unique_ptr<InputFile> file, std::string name);

// Whether `a` comes before `b` in Docker's order: component by component,
// byte-wise, a directory before what it holds.
bool docker_order_less(std::string_view a, std::string_view b);

}  // namespace ctxpack
