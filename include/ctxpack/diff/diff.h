// What changed between two contexts: the entries one sends and the other
// does not, and those both send that differ, found by merging the two
// sources as streams (both are in Docker's order), so memory does not grow
// with the number of entries.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ctxpack/diff/source.h"

namespace ctxpack {

enum class ChangeKind { kAdded, kRemoved, kChanged };

// What differs in an entry both send (bits).
enum ChangeWhat : unsigned {
  kChangedType = 1,     // file, directory, symlink...: nothing else is compared
  kChangedContent = 2,  // a regular file's bytes (its size, or what it holds)
  kChangedMode = 4,
  kChangedTarget = 8,  // a symlink's target
};

// "type", "content", "mode", "target", in that order.
std::vector<std::string> change_names(unsigned what);

struct Change {
  ChangeKind kind = ChangeKind::kAdded;
  const SourceEntry* before = nullptr;  // null when added
  const SourceEntry* after = nullptr;   // null when removed
  unsigned what = 0;                    // for kChanged
  // For kAdded, the rule that kept the path out before; for kRemoved, the
  // one that keeps it out now ("" when the path simply was not there).
  std::string excluded_by;
  const std::string& path() const { return after ? after->path : before->path; }
  int64_t byte_delta() const;
};

class ChangeVisitor {
 public:
  virtual ~ChangeVisitor() = default;
  virtual void change(const Change& c) = 0;
};

struct DiffTotals {
  uint64_t entries_before = 0, entries_after = 0;
  uint64_t bytes_before = 0, bytes_after = 0;  // content bytes (regular files' sizes)
  uint64_t added = 0, removed = 0, changed = 0;
  uint64_t contents_compared = 0;  // files read because size and mtime could not decide
};

// The bytes an entry puts in the context: a regular file's size, else 0.
uint64_t content_bytes(const SourceEntry& e);

// Merges the two sources, reporting each difference in Docker's order.
// Contents are read only for regular files of equal size whose mtimes
// differ (or are unknown) and which both sources can open; a listing has
// no contents, so against one, equal sizes count as equal content.
DiffTotals diff_sources(EntrySource& before, EntrySource& after, ChangeVisitor& visitor);

// The changes grouped by the top-level entry they are in, each group with
// its byte delta and its largest contributors: memory is the width of the
// context's root times `top`.
struct Contributor {
  std::string path;
  ChangeKind kind = ChangeKind::kAdded;
  unsigned what = 0;
  FileType type = FileType::kUnknown;
  int64_t byte_delta = 0;
  std::string excluded_by;  // Change::excluded_by
};

struct ChangeGroup {
  std::string path;  // a top-level name
  bool is_dir = false;
  int64_t byte_delta = 0;
  uint64_t added = 0, removed = 0, changed = 0;
  std::vector<Contributor> top;  // largest |byte_delta| first, then in Docker's order
};

class ChangeGroups : public ChangeVisitor {
 public:
  explicit ChangeGroups(size_t top) : top_(top) {}
  void change(const Change& c) override;
  // Largest |byte_delta| first, then most changes, then by name.
  std::vector<ChangeGroup> sorted() const;

 private:
  size_t top_;
  std::map<std::string, ChangeGroup> groups_;
};

}  // namespace ctxpack
