// How a builder runs COPY and ADD: which context paths COPY sees, how a
// source word expands, where a destination is, and what happens when the
// image already holds something there. Each builder implements it
// (builders/builder.h); the planner (copy_plan.h) applies it.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ctxpack/copy/context_view.h"
#include "ctxpack/dockerfile/dockerfile.h"

namespace ctxpack {

// One source item as the builder copies it.
struct Source {
  std::string word;  // as written (expanded)
  std::string raw;   // the context path before symlinks were followed
  std::string path;  // the resolved context path ("" = the root)
  std::string name;  // the name a file lands under
  const Node* node = nullptr;
  bool flattened = false;  // a wildcard matched a directory: its contents are copied
  bool heredoc = false;
  const Heredoc* doc = nullptr;
  bool remote = false;  // a URL or git repository
  bool git = false;
  bool in_context = true;  // false for COPY --from
};

// The instruction being planned, for rules that warn or need the context.
struct CopyStep {
  const ContextView& context;
  CopyInstructionPlan& plan;
  const char* command;  // "COPY" or "ADD"
  bool run_follows = false;  // a RUN comes later in the stage: a command could read what this copies

  // Adds a diagnostic once (the same code and message are not repeated),
  // with its code's severity.
  void warn(const std::string& code, const std::string& message, const std::optional<Rule>& rule = std::nullopt);
};

// The context paths the stages `build` runs name as COPY/ADD sources and
// RUN bind mounts, absolute and clean ("/" for the context itself); *any
// is set when there is one.
std::set<std::string> context_sources(const Build& build, bool* any);

// What the classic builder and Buildah let COPY see: everything the walk
// selected, whatever the Dockerfile names; an excluded directory exists
// when something below it was kept.
void select_selection(ContextView& view, const Build& build);

// Whether a destination names a directory: a trailing "/" or "/.".
bool dir_form(const std::string& dest);
// An http(s) URL, which ADD downloads.
bool is_url(std::string_view source);
// A git repository (git@..., git://..., or a URL ending in .git), which
// ADD may clone.
bool is_git_source(std::string_view source);
inline bool is_remote_source(std::string_view source) { return is_url(source) || is_git_source(source); }

// What differs in the way files are placed.
struct Placement {
  // The destination (or its parent, for a file) is created before anything
  // is copied, and a copied directory is recorded as coming from its
  // source (BuildKit); else directories appear as parents on the way.
  bool prepares_destination = false;
  // A directory copied onto a file, or a file onto a directory, replaces
  // it (the classic builder) instead of failing.
  bool replaces_on_conflict = false;
  // COPY --exclude is applied.
  bool honours_exclude = false;
  // ADD extracts an archive reached through a symlink.
  bool extracts_through_symlinks = false;
  // A file destination without a trailing "/" on an unknown base image may
  // turn out to be a directory: say so.
  bool warns_dest_may_exist = false;
  // ADD of a git URL fetches a repository.
  bool fetches_git = false;
  // COPY --parents is supported.
  bool supports_parents = false;
  // In COPY --from, a wildcard that matches nothing fails the build.
  bool empty_wildcard_fails = false;
};

class CopyRules {
 public:
  virtual ~CopyRules() = default;

  // Whether every COPY sees everything the walk sends (the context is
  // uploaded whole before the build), so that what the build moves does
  // not depend on its Dockerfile.
  virtual bool uploads_selection() const = 0;
  // Marks which context nodes COPY can see (Node::visible) for the
  // stages `build` runs, and fills the view's transfer fields.
  virtual void select_visible(ContextView& view, const Build& build) const = 0;
  // Throws Error for a flag the builder refuses; warns about one it ignores.
  virtual void check_flags(const CopyCommand& c, CopyStep& step) const = 0;
  // Whether a heredoc source is left out (with a warning).
  virtual bool skips_heredoc(const Heredoc& doc, CopyStep& step) const = 0;
  // The destination as the builder normalises it: absolute, relative to
  // `workdir`, a trailing "/" kept where it matters.
  virtual std::string destination(const std::string& dest, const std::string& workdir) const = 0;
  // A local source word's items; throws Error where the builder fails.
  virtual void expand(const std::string& word, CopyStep& step, std::vector<Source>& out) const = 0;
  // Whether source `word` names context path `path` itself (as expand
  // would match it, symlinks aside): what a change to the ignore file is
  // checked with, path by path, without a tree of the whole context.
  virtual bool names(const std::string& word, std::string_view path) const = 0;
  // Throws Error or warns about the number of sources for `dest`;
  // `dest_may_be_dir`: the image may hold a directory there that the model
  // does not show (after a RUN, on an unknown base).
  virtual void check_sources(const CopyCommand& c, const std::string& dest, size_t count, bool dest_may_be_dir,
                             CopyStep& step) const = 0;
  // Checks the expanded sources against the image before anything is
  // placed and returns the destination to place them at: Buildah decides
  // only now whether `dest` is a directory, and fails some sources only
  // once every source has been found. The others keep `dest`.
  virtual std::string check_expansion(const CopyCommand& /*c*/, const std::string& dest,
                                      const std::vector<Source>& /*sources*/, ImageTree& /*img*/,
                                      CopyStep& /*step*/) const {
    return dest;
  }
  virtual Placement placement() const = 0;
  // The error for a directory copied onto a file at `dst`.
  virtual std::string dir_onto_file_error(const std::string& dst) const = 0;
  // The error for a COPY --from source `path` missing in that stage.
  virtual std::string missing_in_stage(const std::string& path) const = 0;
};

}  // namespace ctxpack
