// The same context as another builder selects it: how `report` finds the
// paths on which builders disagree, and how `copy` tells what each builder
// moves.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "ctxpack/context/context.h"
#include "ctxpack/context/walk.h"

namespace ctxpack {

// Component-wise order of slash-separated paths: the order of a pre-order
// walk whose siblings are sorted byte-wise ("a" < "a/b" < "a-c").
int compare_walk_order(std::string_view a, std::string_view b);

// The entries a walk sends, recorded in an unnamed temporary file (so
// memory stays flat) and read back in walk order.
class SentPaths {
 public:
  SentPaths();
  ~SentPaths();
  SentPaths(const SentPaths&) = delete;
  SentPaths& operator=(const SentPaths&) = delete;

  void record(const WalkEntry& e, const Matcher& matcher);
  // After the last record: from the start.
  void rewind();
  // The next entry; false at the end.
  struct Entry {
    std::string path;
    bool is_dir = false;
    int rule = -1;  // the deciding rule's index in the walk's matcher; -1 for none
    FileType type = FileType::kUnknown;
    uint64_t size = 0;  // with a walk that stats (else 0)
    uint64_t ino = 0;
    uint64_t nlink = 1;
  };
  bool next(Entry& out);

 private:
  FILE* file_;
  char* line_ = nullptr;  // getdelim's buffer
  size_t line_cap_ = 0;
};

struct SelectOptions {
  bool measure = false;  // count files and bytes, and the tar pack would write
  bool record = false;   // record the sent paths
  // An audit: the client's checks are not run (see WalkOptions::keep_going)
  // and `also` sees every entry, sent or not.
  bool audit = false;
  WalkVisitor* also = nullptr;
};

struct Selection {
  BuildContext ctx;
  uint64_t files = 0;          // regular files sent...
  uint64_t bytes = 0;          // ...and their sizes (with `measure`)
  uint64_t content_bytes = 0;  // the same with a hardlinked inode counted once, as the tar holds it
  uint64_t tar_bytes = 0;  // the tar pack writes (with `measure`)
  std::unique_ptr<SentPaths> sent;  // with `record`
};

// Walks `s.ctx` once, measuring and recording as `what` asks. Throws Error
// where the builder fails.
void walk_selection(Selection& s, const SelectOptions& what);

// Opens `options`'s context as `builder` selects it, and walks it.
Selection select_with(ContextOptions options, const Builder& builder, const SelectOptions& what);

}  // namespace ctxpack
