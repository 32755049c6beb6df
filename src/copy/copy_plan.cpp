#include "ctxpack/copy/copy_plan.h"

#include <set>

#include "ctxpack/support/path.h"
#include "planner.h"

namespace ctxpack {

std::string_view entry_type_name(EntryType t) {
  switch (t) {
    case EntryType::kFile:
      return "file";
    case EntryType::kDir:
      return "dir";
    case EntryType::kSymlink:
      return "symlink";
    case EntryType::kFifo:
      return "fifo";
    case EntryType::kCharDevice:
      return "char";
    case EntryType::kBlockDevice:
      return "block";
  }
  return "file";
}

Severity copy_diagnostic_severity(std::string_view code) {
  for (std::string_view c : {"excluded-source", "missing-source"}) {
    if (code == c) return Severity::kError;
  }
  for (std::string_view c : {"dir-contents", "dotfiles", "excluded-match", "symlink-followed", "dest-may-exist",
                             "unknown-variable", "from-image", "from-stage", "remote-source",
                             "dockerignore-rewritten"}) {
    if (code == c) return Severity::kInfo;
  }
  return Severity::kWarning;
}

void CopyStep::warn(const std::string& code, const std::string& message, const std::optional<Rule>& rule) {
  for (const auto& w : plan.warnings) {
    if (w.code == code && w.message == message) return;
  }
  plan.warnings.push_back(CopyDiagnostic{code, message, rule, copy_diagnostic_severity(code)});
}

bool dir_form(const std::string& dest) { return dest.ends_with("/") || dest.ends_with("/."); }

bool is_url(std::string_view s) { return s.starts_with("http://") || s.starts_with("https://"); }

bool is_git_source(std::string_view s) {
  if (s.starts_with("git@") || s.starts_with("git://")) return true;
  if (!is_url(s)) return false;
  std::string_view p = s.substr(0, s.find('#'));
  return p.size() > 4 && p.ends_with(".git");
}

std::set<std::string> context_sources(const Build& build, bool* any) {
  std::set<std::string> paths;
  for (const BuildStage& st : build.stages) {
    if (!st.built) continue;
    for (const BuildStep& step : st.steps) {
      if (step.kind == StepKind::kCopy && step.copy.from.empty()) {
        for (const auto& src : step.copy.sources) {
          if (step.copy.add && is_remote_source(src)) continue;
          paths.insert(clean_path("/" + src));
          *any = true;
        }
      }
      for (const auto& src : step.run_context_paths) {
        paths.insert(clean_path("/" + src));
        *any = true;
      }
    }
  }
  return paths;
}

void select_selection(ContextView& view, const Build& build) {
  bool any = false;
  view.whole = context_sources(build, &any).count("/") > 0;
  auto mark = [&](auto&& self, Node& n) -> bool {
    bool kid_visible = false;
    for (auto& [name, kid] : n.kids) kid_visible |= self(self, kid);
    n.visible = (n.sent && !n.removed) || (n.is_dir() && kid_visible);
    return n.visible;
  };
  for (auto& [name, kid] : view.root.kids) mark(mark, kid);
  view.root.visible = true;
  view.visible = view.sent;
}

namespace copy {

std::string_view trim_instruction(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

namespace {

// The name a downloaded file lands under: the URL path's last component.
std::string url_file_name(const std::string& word) {
  std::string u = word.substr(0, word.find_first_of("?#"));
  size_t scheme = u.find("://");
  std::string path = scheme == std::string::npos ? "" : u.substr(scheme + 3);
  size_t slash = path.find('/');
  path = slash == std::string::npos ? "" : path.substr(slash);
  return path.empty() || path == "/" ? "__unnamed__" : std::string(base_name(clean_path(path)));
}

// Replays a build's file operations, stage by stage.
class Planner {
 public:
  Planner(BuildContext& ctx, const Build& build)
      : rules_(ctx.builder->copy_rules()), b_(build), view_(ctx), placer_(rules_, *ctx.fs) {}

  CopyPlan run() {
    plan_.builder = view_.ctx.builder;
    rules_.select_visible(view_, b_);
    plan_.context = view_.sent;
    plan_.transfer = view_.visible;
    plan_.transfer_whole = view_.whole;
    plan_.transfer_paths = view_.paths;
    std::vector<ImageTree> images(b_.stages.size());
    for (size_t s = 0; s < b_.stages.size(); ++s) plan_stage(s, images);
    finish(images);
    return std::move(plan_);
  }

 private:
  std::string stage_label(size_t s) const { return b_.stages[s].name.empty() ? std::to_string(s) : b_.stages[s].name; }

  void plan_stage(size_t s, std::vector<ImageTree>& images) {
    const BuildStage& stage = b_.stages[s];
    ImageTree& img = images[s];
    if (stage.base_stage >= 0) {
      img = images[static_cast<size_t>(stage.base_stage)];
    } else {
      img.base_unknown = !stage.scratch;
    }
    std::vector<size_t> stage_copies;
    for (size_t i = 0; i < stage.steps.size(); ++i) {
      const BuildStep& step = stage.steps[i];
      const DockerfileInstruction& inst = b_.file.instructions[step.instruction];
      if (step.kind == StepKind::kWorkdir) {
        try {
          img.mkdir_p(step.workdir, nullptr);
        } catch (const Error&) {
        }
      } else if (step.kind == StepKind::kRun) {
        img.ran_commands = true;
        if (stage.built) check_install_order(inst, stage_copies, view_, plan_);
      } else if (step.kind == StepKind::kCopy) {
        CopyInstructionPlan p;
        p.line = inst.line;
        p.stage = stage_label(s);
        p.instruction = std::string(trim_instruction(inst.original));
        p.runs = stage.built;
        CopyStep cs{view_, p, step.copy.add ? "ADD" : "COPY"};
        cs.run_follows = std::any_of(stage.steps.begin() + static_cast<std::ptrdiff_t>(i) + 1, stage.steps.end(),
                                     [](const BuildStep& later) { return later.kind == StepKind::kRun; });
        for (const auto& n : step.notes) cs.warn("unknown-variable", n);
        if (step.copy.from.empty()) {
          plan_copy(step, img, cs);
        } else {
          p.from = step.copy.from;
          plan_from(step, img, images, s, cs);
        }
        stage_copies.push_back(plan_.instructions.size());
        plan_.instructions.push_back(std::move(p));
      }
    }
  }

  void plan_copy(const BuildStep& step, ImageTree& img, CopyStep& cs) {
    const CopyCommand& c = step.copy;
    try {
      rules_.check_flags(c, cs);
      if (!view_.error.empty()) throw Error(view_.error);
      std::string dest = rules_.destination(c.dest, step.workdir);
      if (c.parents && rules_.placement().supports_parents) {
        placer_.place_parents(c, dest, img, cs);
      } else {
        unknown_sources_ = 0;
        std::vector<Source> sources = expand_sources(c, cs);
        dest = rules_.check_expansion(c, dest, sources, img, cs);
        const bool dest_may_be_dir = img.unknown() && !img.find(img.resolved(clean_path(dest), true));
        rules_.check_sources(c, dest, sources.size() + unknown_sources_, dest_may_be_dir, cs);
        // Several files into a path the image may hold as a directory: the
        // one reading that makes the instruction meaningful.
        const bool assume_dir = dest_may_be_dir && sources.size() > 1;
        for (const Source& s : sources) placer_.place(s, c, dest, img, cs, assume_dir);
      }
    } catch (const Error& e) {
      fail(cs.plan, e);
    }
    if (!cs.plan.error) sweep_warnings(cs);
  }

  static void fail(CopyInstructionPlan& p, const Error& e) {
    p.error = e.what();
    p.entries.clear();
    p.items.clear();
  }

  std::vector<Source> expand_sources(const CopyCommand& c, CopyStep& cs) {
    std::vector<Source> out;
    for (size_t slot : c.source_order) {
      if (slot >= c.sources.size()) {
        const Heredoc& h = c.heredoc_sources[~slot];
        if (rules_.skips_heredoc(h, cs)) continue;
        Source s;
        s.word = "<<" + h.name;
        s.name = h.name;
        s.heredoc = true;
        s.doc = &h;
        out.push_back(s);
        continue;
      }
      const std::string& word = c.sources[slot];
      if (slot < c.unknown_sources.size() && c.unknown_sources[slot]) {
        // Its value depends on the base image: never predict a failure from it.
        ++unknown_sources_;
        continue;
      }
      if (!is_remote_source(word)) {
        rules_.expand(word, cs, out);
        continue;
      }
      if (!c.add) throw Error("source can't be a URL for COPY");
      Source s;
      s.word = word;
      s.remote = true;
      s.git = is_git_source(word) && rules_.placement().fetches_git;
      s.name = url_file_name(word);
      out.push_back(s);
    }
    return out;
  }

  // COPY --from: another stage or an image. A stage modelled fully (FROM
  // scratch, no RUN) is expanded against its tree; otherwise the
  // instruction is shown as it is.
  void plan_from(const BuildStep& step, ImageTree& img, std::vector<ImageTree>& images, size_t stage,
                 CopyStep& cs) {
    int src = find_stage(b_, step.copy.from, stage);
    if (src < 0) {
      cs.warn("from-image", "copies from image " + step.copy.from + ", whose files are not known here");
      img.base_unknown = true;
      return;
    }
    const ImageTree& from = images[static_cast<size_t>(src)];
    if (from.base_unknown || from.ran_commands) {
      cs.warn("from-stage", "copies from stage " + stage_label(static_cast<size_t>(src)) +
                                ", whose files depend on its base image or RUN steps");
      img.base_unknown = true;
      return;
    }
    const std::string dest = rules_.destination(step.copy.dest, step.workdir);
    try {
      for (const auto& word : step.copy.sources) {
        const std::string norm = clean_path("/" + word);
        for (const std::string& m : stage_matches(norm, from)) {
          placer_.place(stage_source(word, norm, m, from), step.copy, dest, img, cs, false);
          for (auto& e : cs.plan.entries) {
            if (!e.src.empty() && e.src[0] != '/') e.src = "/" + (e.src == "." ? std::string() : e.src);
          }
        }
      }
    } catch (const Error& e) {
      fail(cs.plan, e);
    }
  }

  // The stage paths a source (cleaned, absolute) names.
  std::vector<std::string> stage_matches(const std::string& norm, const ImageTree& from) const {
    if (!contains_wildcards(norm)) return {norm == "/" ? "" : norm.substr(1)};
    std::vector<std::string> prefix, rest, matches;
    for (const auto& part : path_components(norm)) (rest.empty() && !contains_wildcards(part) ? prefix : rest).push_back(part);
    const Node* base = nullptr;
    std::vector<std::string> based = resolve(from.root, join_parts(prefix, true), true, all_nodes, &base);
    if (!base) throw Error("lstat " + join_parts(prefix, true) + ": no such file or directory");
    const std::string pattern = join_parts(rest, false);
    const std::string base_path = join_parts(based, false) == "." ? "" : join_parts(based, false);
    if (base->is_dir()) {
      for_each_below(*base, all_nodes, [&](const Node&, const std::string& r) {
        if (go_filepath_match(pattern, r) != 1) return true;
        matches.push_back(rel_join(base_path, r));
        return false;
      });
    }
    if (matches.empty() && rules_.placement().empty_wildcard_fails) {
      throw Error("COPY failed: no source files were specified");
    }
    return matches;
  }

  Source stage_source(const std::string& word, const std::string& norm, const std::string& m,
                      const ImageTree& from) const {
    const Node* n = nullptr;
    std::vector<std::string> parts = resolve(from.root, m, true, all_nodes, &n);
    if (!n) throw Error(rules_.missing_in_stage(m));
    Source s;
    s.word = word;
    s.in_context = false;
    s.path = join_parts(parts, false) == "." ? "" : join_parts(parts, false);
    s.name = std::string(base_name(m));
    s.node = n;
    s.flattened = contains_wildcards(norm) && n->is_dir();
    return s;
  }

  void finish(std::vector<ImageTree>& images) {
    // Where the build fails, and what it never reaches.
    for (const auto& ip : plan_.instructions) {
      if (ip.runs && ip.error && (!plan_.fails_at || ip.line < *plan_.fails_at)) plan_.fails_at = ip.line;
    }
    if (plan_.fails_at) {
      for (auto& ip : plan_.instructions) {
        if (ip.line > *plan_.fails_at) ip.reached = false;
      }
    }
    if (b_.stages.empty()) return;
    plan_.target = stage_label(b_.target);
    const ImageTree& img = images[b_.target];
    plan_.image_complete = !img.base_unknown && !img.ran_commands;
    std::function<void(const Node&, const std::string&)> walk = [&](const Node& d, const std::string& path) {
      for (const auto& [name, kid] : d.kids) {
        std::string p = abs_join(path, name);
        plan_.image.push_back(CopyEntry{kid.origin, p, entry_type(kid.type), kid.is_dir() ? 0 : kid.size, kid.link});
        if (kid.is_dir()) walk(kid, p);
      }
    };
    walk(img.root, "/");
  }

  const CopyRules& rules_;
  const Build& b_;
  ContextView view_;
  Placer placer_;
  CopyPlan plan_;
  size_t unknown_sources_ = 0;  // sources of the instruction that depend on a value ctxpack cannot know
};

}  // namespace
}  // namespace copy

CopyPlan plan_copies(BuildContext& ctx, const Build& build) { return copy::Planner(ctx, build).run(); }

}  // namespace ctxpack
