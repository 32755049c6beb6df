#include "ctxpack/report/verify.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "ctxpack/context/compare.h"
#include "ctxpack/copy/copy_plan.h"
#include "ctxpack/copy/copy_rules.h"
#include "ctxpack/output/format.h"
#include "ctxpack/report/finding.h"
#include "ctxpack/support/git.h"
#include "ctxpack/support/overlay_host.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

bool is_litter(std::string_view name) {
  return name == ".DS_Store" || name == "Thumbs.db" || name == "desktop.ini" || name.ends_with(".swp") ||
         name.ends_with(".swo") || name.ends_with("~");
}

std::string removed_listing(const Verified& v) {
  std::string out;
  for (size_t i = 0; i < v.removed.size() && i < 5; ++i) out += (i ? ", " : "") + quote_path(v.removed[i]);
  if (v.removed_roots > 5) out += " and " + std::to_string(v.removed_roots - 5) + " more";
  return out;
}

namespace {

// The COPY/ADD operands of the stages a build runs that come from the
// context, and which of them name something sent: a change that leaves one
// naming nothing breaks the build (or, for a BuildKit wildcard, silently
// copies nothing).
class Operands {
 public:
  Operands(const Build& build, const CopyRules& rules) : rules_(rules) {
    for (const BuildStage& st : build.stages) {
      if (!st.built) continue;
      for (const BuildStep& step : st.steps) {
        if (step.kind != StepKind::kCopy || !step.copy.from.empty()) continue;
        for (const std::string& word : step.copy.sources) {
          if (!is_remote_source(word)) words_.push_back({build.file.instructions[step.instruction].line, word});
        }
      }
    }
  }
  size_t size() const { return words_.size(); }
  // Marks in `named` the operands that `path`, or a directory above it
  // (which exists when the path is sent), names.
  void observe(std::string_view path, std::vector<bool>& named) const {
    named.resize(words_.size());
    for (size_t i = 0; i < words_.size(); ++i) {
      if (named[i]) continue;
      for (std::string_view p = path; !p.empty(); p = parent_path(p)) {
        if (rules_.names(words_[i].second, p)) {
          named[i] = true;
          break;
        }
      }
    }
  }
  // Why `after` breaks what `before` had; "" when it does not.
  std::string lost(const std::vector<bool>& before, const std::vector<bool>& after) const {
    for (size_t i = 0; i < words_.size(); ++i) {
      if (i < before.size() && before[i] && !(i < after.size() && after[i])) {
        return "COPY source " + quote_path(words_[i].second) + " (line " + std::to_string(words_[i].first) +
               ") would match nothing";
      }
    }
    return "";
  }

 private:
  const CopyRules& rules_;
  std::vector<std::pair<size_t, std::string>> words_;
};

}  // namespace

struct Verifier::Baseline {
  ContextOptions options;
  std::string ignore_file;
  std::string ignore_content;
  Selection selection;
  std::optional<Build> build;        // when the Dockerfile could be read...
  std::optional<Operands> operands;  // ...and its COPY/ADD operands
  std::optional<UntrackedFiles> untracked;  // when the context is in a git work tree
  // The file's exceptions as exclusions: what they name is meant to be
  // sent even where no exclusion makes them decide (nullopt: none).
  std::optional<Matcher> exceptions;
};

namespace {

std::string read_all(Host& host, const std::string& path) {
  std::unique_ptr<InputFile> in;
  if (host.open_file(path, &in) != 0) return "";
  std::string out;
  char buf[1 << 16];
  ssize_t n;
  while ((n = in->read(buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

Verifier::Verifier(const ContextOptions& options, const BuildOptions& build) : base_(std::make_unique<Baseline>()) {
  Baseline& b = *base_;
  b.options = options;
  b.options.require_dockerfile = false;
  b.selection = select_with(b.options, *options.builder, SelectOptions{.measure = true, .record = true, .audit = true});
  BuildContext& ctx = b.selection.ctx;
  b.ignore_file = ctx.ignore_file.empty() ? join_path(options.context == "." ? "" : options.context, ".dockerignore")
                                          : ctx.ignore_file;
  if (!ctx.ignore_file.empty()) b.ignore_content = read_all(*ctx.host, ctx.ignore_file);
  if (ctx.host->is_disk()) b.untracked = UntrackedFiles::list(options.context);
  std::vector<Rule> exceptions;
  for (const Rule& r : ctx.matcher->rules()) {
    if (r.origin != RuleOrigin::kFile || !r.pattern.starts_with("!")) continue;
    exceptions.push_back(r);
    exceptions.back().pattern.erase(0, 1);
  }
  try {
    if (!exceptions.empty()) b.exceptions.emplace(std::move(exceptions), ctx.matcher->syntax());
  } catch (const Error&) {
    // A malformed exception keeps nothing: the builder fails on it first.
  }
  if (ctx.dockerfile_exists) {
    try {
      BuildOptions bo = build;
      bo.builder = ctx.builder;
      b.build = evaluate_dockerfile(parse_dockerfile(read_dockerfile(ctx).text, ctx.dockerfile_path), bo);
      b.operands.emplace(*b.build, ctx.builder->copy_rules());
    } catch (const Error&) {
      // A Dockerfile the builder would refuse: nothing to hold the change against.
    }
  }
}

Verifier::~Verifier() = default;

const std::string& Verifier::ignore_file() const { return base_->ignore_file; }
const std::string& Verifier::ignore_content() const { return base_->ignore_content; }

namespace {

// Merges the sent paths before and after an edit (both in walk order):
// what is kept out, and whether an exception kept any of it.
struct Merge {
  Verified& v;
  const Matcher& before_rules;
  const Matcher* exceptions;
  const Operands* operands;
  const UntrackedFiles* untracked;
  std::string refusal;
  std::vector<bool> named_before, named_after;
  uint64_t content_before = 0, content_after = 0;
  std::unordered_set<uint64_t> linked_before, linked_after;
  std::string last_root;  // the outermost removed path the walk is below
  std::string ignore_file;  // its own entry may come and go with the edit
  std::string first_added;
  bool keep_exceptions = true;
  static constexpr size_t kShown = 10;

  uint64_t content(const SentPaths::Entry& e, std::unordered_set<uint64_t>& linked) {
    if (e.type != FileType::kRegular) return 0;
    return e.nlink <= 1 || linked.insert(e.ino).second ? e.size : 0;
  }
  void removed(const SentPaths::Entry& e) {
    ++v.entries_removed;
    if (e.type == FileType::kRegular) {
      ++v.files_saved;
      if (untracked && untracked->contains(e.path)) ++*v.untracked_files_saved;
    }
    if (last_root.empty() || !is_at_or_below(e.path, last_root)) {
      last_root = e.path;
      if (v.removed_roots++ < kShown) v.removed.push_back(display_path(e.path, e.is_dir));
    }
    if (!keep_exceptions || !refusal.empty() || is_litter(base_name(e.path))) return;
    if (const Rule* rule = keeping_exception(e)) {
      refusal = "it would exclude " + quote_path(e.path) + ", which " + rule_reference(*rule) + " keeps";
    }
  }
  // The exception that decided the entry, or one that names it although
  // no exclusion did (after `*.log` is deleted as overridden, `!*.log`
  // still says logs are wanted).
  const Rule* keeping_exception(const SentPaths::Entry& e) const {
    if (e.rule >= 0) {
      const Rule& rule = before_rules.rule(static_cast<size_t>(e.rule));
      return rule.origin == RuleOrigin::kFile && rule.pattern.starts_with("!") ? &rule : nullptr;
    }
    if (!exceptions) return nullptr;
    try {
      return exceptions->matches_or_parents(e.path).rule;
    } catch (const PatternError&) {
      return nullptr;
    }
  }
  void run(SentPaths& before, SentPaths& after) {
    SentPaths::Entry a, b;
    bool has_a = before.next(a), has_b = after.next(b);
    while (has_a || has_b) {
      const int order = !has_a ? 1 : !has_b ? -1 : compare_walk_order(a.path, b.path);
      if (order <= 0) content_before += content(a, linked_before);
      if (order >= 0) content_after += content(b, linked_after);
      if (operands && order <= 0) operands->observe(a.path, named_before);
      if (operands && order >= 0) operands->observe(b.path, named_after);
      if (order < 0) removed(a);
      if (order > 0 && b.path != ignore_file && v.entries_added++ == 0) first_added = b.path;
      if (order <= 0) has_a = before.next(a);
      if (order >= 0) has_b = after.next(b);
    }
  }
};

// The ignore file as a context path ("" when it lies outside the context).
std::string sent_name(const std::string& context, const std::string& file) {
  const std::string dir = clean_path(context), name = clean_path(file);
  if (dir == ".") return name.starts_with("../") || name.starts_with("/") ? "" : name;
  return is_at_or_below(name, dir) && name != dir ? name.substr(dir.size() + 1) : "";
}

// Why two contexts make the build copy different things ("" when they do
// not): each COPY/ADD of the context fails or places the same entries.
std::string different_copies(const Build& build, BuildContext& before, BuildContext& after) {
  const CopyPlan a = plan_copies(before, build), b = plan_copies(after, build);
  for (size_t i = 0; i < a.instructions.size() && i < b.instructions.size(); ++i) {
    const CopyInstructionPlan &x = a.instructions[i], &y = b.instructions[i];
    if (!x.from.empty() || !x.runs) continue;
    auto same = [](const CopyEntry& p, const CopyEntry& q) {
      return p.src == q.src && p.dest == q.dest && p.type == q.type && p.size == q.size && p.link == q.link;
    };
    if (x.error != y.error || !std::equal(x.entries.begin(), x.entries.end(), y.entries.begin(), y.entries.end(), same))
      return "line " + std::to_string(x.line) + " (" + x.instruction + ") would copy something else";
  }
  return "";
}

}  // namespace

Verified Verifier::check(const IgnoreEdit& edit) { return check_content(apply_edit(base_->ignore_content, edit)); }

Verified Verifier::check_content(const std::string& content, const CheckMode& mode) {
  Baseline& b = *base_;
  Verified v;
  OverlayHost overlay(*b.options.host, b.ignore_file, content);
  ContextOptions options = b.options;
  options.host = &overlay;
  Selection after;
  try {
    after = select_with(options, *options.builder, SelectOptions{.measure = true, .record = true, .audit = true});
  } catch (const Error& e) {
    v.refusal = std::string("the context could not be read with it: ") + e.what();
    return v;
  }
  b.selection.sent->rewind();
  if (b.untracked) v.untracked_files_saved = 0;
  Merge merge{v, *b.selection.ctx.matcher, b.exceptions ? &*b.exceptions : nullptr, b.operands ? &*b.operands : nullptr,
              b.untracked ? &*b.untracked : nullptr};
  merge.keep_exceptions = mode.keep_exceptions;
  merge.ignore_file = sent_name(b.options.context, b.ignore_file);
  merge.run(*b.selection.sent, *after.sent);
  v.bytes_saved = merge.content_before > merge.content_after ? merge.content_before - merge.content_after : 0;
  v.refusal = merge.refusal;
  if (v.refusal.empty() && v.entries_added > 0) {
    v.refusal = "it would send " + quote_path(merge.first_added) + ", which is kept out now";
  }
  if (v.refusal.empty() && mode.tidy && v.entries_removed > 0) {
    v.refusal = "it would keep out " + v.removed.front() + ", which is sent now";
  }
  if (b.operands) {
    v.copy_checked = true;
    if (v.refusal.empty()) {
      v.refusal = b.operands->lost(merge.named_before, merge.named_after);
      v.sources_lost = !v.refusal.empty();
    }
    if (v.refusal.empty() && mode.same_copies) v.refusal = different_copies(*b.build, b.selection.ctx, after.ctx);
  }
  if (v.refusal.empty() && v.entries_removed == 0 && !mode.tidy) v.refusal = "it would keep nothing out";
  v.holds = v.refusal.empty();
  return v;
}

}  // namespace ctxpack
