// The COPY planner's parts, shared by its sources (private to src/copy/):
// placing sources in an image, reading archives ADD extracts, and the
// advice that needs a whole instruction or a whole build.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ctxpack/copy/copy_rules.h"
#include "ctxpack/rules/matcher.h"

namespace ctxpack::copy {

// A (possibly compressed) tar's entry, as ADD extracts it.
struct ArchiveEntry {
  std::string path;
  EntryType type;
  uint64_t size;
  std::string link;
};

// Whether the context file at `parts` is a tar, as Docker decides by
// reading its first header; if so, its entries.
bool read_archive(FileSystem& fs, const std::vector<std::string>& parts, std::vector<ArchiveEntry>* entries);

// The COPY --exclude patterns as a matcher; null when there are none.
std::unique_ptr<Matcher> exclude_matcher(const std::vector<std::string>& excludes);

// Puts sources into an image the way the builder does.
class Placer {
 public:
  Placer(const CopyRules& rules, FileSystem& fs) : rules_(rules), placement_(rules.placement()), fs_(fs) {}

  // One source item of `c` into `dest` (as the builder normalised it);
  // `assume_dir`: take `dest` as a directory the model does not show.
  void place(const Source& s, const CopyCommand& c, const std::string& dest, ImageTree& img, CopyStep& step,
             bool assume_dir);
  // COPY --parents: each source keeps its directories below the root or
  // the "/./" pivot.
  void place_parents(const CopyCommand& c, const std::string& dest, ImageTree& img, CopyStep& step);

 private:
  void place_archive(const Source& s, const std::vector<ArchiveEntry>& archive, const std::string& dst,
                     ImageTree& img, CopyStep& step, CopyItem& item);
  void place_dir(const Source& s, const CopyCommand& c, const std::string& dst, Node* existing, ImageTree& img,
                 CopyStep& step, CopyItem& item);
  void place_file(const Source& s, const std::string& dest, const std::string& dst, Node* existing, ImageTree& img,
                  CopyStep& step, CopyItem& item, bool assume_dir);
  void put_node(const Node& n, const std::string& src_rel, const std::string& target, ImageTree& img,
                CopyStep& step, CopyItem& item, bool recurse, const Matcher* ex = nullptr,
                const std::string& ex_rel = "");
  void put_children(const Node& dir, const std::string& src_rel, const std::string& target, ImageTree& img,
                    CopyStep& step, CopyItem& item, const Matcher* ex, const std::string& ex_rel);
  void copy_excluded_dir(const Node& dir, const std::string& src_rel, const std::string& target, ImageTree& img,
                         CopyStep& step, CopyItem& item, const Matcher* ex, const std::string& ex_rel);
  void copy_filtered(const Node& dir, const std::string& src_rel, const std::string& dest, const Matcher& include,
                     const std::vector<std::string>& excludes, ImageTree& img, CopyStep& step, CopyItem& item);
  bool is_archive(const Source& s, const ContextView& view, std::vector<ArchiveEntry>* out);
  static void flattened_note(const Source& s, const std::string& dst, const CopyItem& item, CopyStep& step);
  static void symlink_note(const Source& s, CopyStep& step);
  static void finish_item(CopyItem& item, CopyStep& step);

  const CopyRules& rules_;
  const Placement placement_;
  FileSystem& fs_;
};

// An instruction's text without surrounding blanks.
std::string_view trim_instruction(std::string_view s);

// Diagnostics that need the whole instruction: collisions, and dotfiles,
// secret-prone files and .git swept in by a broad source; fills the
// instruction's cache key (depends_on).
void sweep_warnings(CopyStep& step);

// A broad COPY before a dependency install re-runs the install on every
// edit: warns on such COPYs among `copies` (indices into plan.instructions)
// and adds a hint.
void check_install_order(const DockerfileInstruction& inst, const std::vector<size_t>& copies,
                         const ContextView& view, CopyPlan& plan);

}  // namespace ctxpack::copy
