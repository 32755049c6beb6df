// Proposing a change to the ignore file only after trying it. The edit is
// applied in memory and the builder's selection is walked again; the
// change holds only if it keeps something out, leaves every COPY/ADD
// operand of the stages the build runs naming something (so the build does
// not start to fail, nor a wildcard to copy nothing), sends nothing that
// is kept out now, and excludes nothing an exception keeps (OS and editor
// litter aside). What it saves is
// measured, never estimated. Memory stays flat: both selections are
// streamed from temporary files and merged in walk order.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/context/context.h"
#include "ctxpack/dockerfile/dockerfile.h"

namespace ctxpack {

// Names a rule may exclude even where an exception keeps them: files
// nobody means to send (.DS_Store, Thumbs.db, editor swap and backup files).
bool is_litter(std::string_view name);

struct Verified {
  bool holds = false;
  std::string refusal;  // why not, as a clause ("COPY source dist/ (line 7) would match nothing")
  uint64_t files_saved = 0;    // sent regular files it keeps out
  uint64_t bytes_saved = 0;    // content bytes the report's total drops by (the ignore file's own growth aside)
  uint64_t entries_removed = 0;
  uint64_t entries_added = 0;  // sent with it and not now (the ignore file itself aside)
  // What it keeps out, as the outermost paths (everything below a
  // directory in it goes too): the first few in walk order, and how many.
  std::vector<std::string> removed;
  uint64_t removed_roots = 0;
  bool copy_checked = false;         // the Dockerfile's COPY/ADD operands were checked
  bool sources_lost = false;         // some COPY/ADD operand would name nothing
  // Of files_saved, those git does not track (nullopt outside a git work
  // tree): a change that keeps out only committed files is taking out what
  // the project chose to have, whatever its name suggests.
  std::optional<uint64_t> untracked_files_saved;
};

// What a change keeps out, for a message: the first few outermost paths
// and how many more.
std::string removed_listing(const Verified& v);

class Verifier {
 public:
  // Measures the context as `options` opens it, and evaluates its
  // Dockerfile (when there is one) with `build`.
  Verifier(const ContextOptions& options, const BuildOptions& build = {});
  ~Verifier();
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // The ignore file edits go to: the builder's, or where a new one would be.
  const std::string& ignore_file() const;
  // The ignore file's lines as they are (empty when there is none).
  const std::string& ignore_content() const;

  Verified check(const IgnoreEdit& edit);

  // What is checked besides the saving and the COPY/ADD operands.
  struct CheckMode {
    bool keep_exceptions = true;  // nothing an exception of the current file keeps may go
    bool same_copies = false;     // every COPY/ADD copies exactly what it did (an allowlist)
    // A change that only tidies the file (a rule that decides nothing
    // removed, a would-be comment made one) holds when the selection stays
    // exactly as it is, instead of when it keeps something out.
    bool tidy = false;
  };
  // The ignore file as a whole replaced by `content`.
  Verified check_content(const std::string& content, const CheckMode& mode);
  Verified check_content(const std::string& content) { return check_content(content, CheckMode{}); }

 private:
  struct Baseline;
  std::unique_ptr<Baseline> base_;
};

}  // namespace ctxpack
