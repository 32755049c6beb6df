// The paths one builder sends and another does not. The other builder's
// walk is recorded first (select_with, context/compare.h); the main walk's
// sent entries are then merged against it in walk order. A path sent by
// one builder only, together with what below it is sent by that builder
// only, makes one finding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/context/compare.h"
#include "ctxpack/report/finding.h"

namespace ctxpack {

class BuilderDiff {
 public:
  // `main` is the context being reported; `other` the other builder's
  // selection, with its sent paths recorded.
  BuilderDiff(const BuildContext& main, Selection& other);
  // Sent entries of the main walk, in walk order.
  void observe_sent(const WalkEntry& e);
  std::vector<Finding> finish();

 private:
  void only_in(bool main_side, std::string_view path, bool is_dir, const Rule* rule);
  void close_group();
  void next_other();
  void other_only();

  const BuildContext& main_;
  const BuildContext& other_;
  SentPaths& recorded_;
  bool other_valid_ = false;
  SentPaths::Entry pending_;  // the other side's next path
  // The open group: a path one side sends alone, and the count of paths
  // below it that side also sends alone.
  bool group_open_ = false;
  bool group_main_ = false;
  std::string group_path_;
  bool group_is_dir_ = false;
  bool group_has_files_ = false;
  const Rule* group_rule_ = nullptr;
  uint64_t group_below_ = 0;
  std::vector<Finding> findings_;
};

}  // namespace ctxpack
