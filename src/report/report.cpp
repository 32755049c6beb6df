#include "ctxpack/report/report.h"

#include <algorithm>
#include <memory>
#include <set>
#include <unordered_map>

#include "ctxpack/context/compare.h"
#include "ctxpack/context/walk.h"
#include "ctxpack/copy/copy_rules.h"
#include "ctxpack/output/format.h"
#include "ctxpack/pack/pack.h"
#include "ctxpack/report/builder_diff.h"
#include "ctxpack/report/hazards.h"
#include "ctxpack/report/rule_lint.h"
#include "ctxpack/report/tidy.h"
#include "ctxpack/support/error.h"
#include "ctxpack/support/path.h"
#include "ctxpack/support/text.h"
#include "ctxpack/support/utf8.h"

namespace ctxpack {

namespace {

// What rarely belongs in a build context. A directory kind matches a
// directory name (and, as the rule would, a file of that name); a file
// kind matches a file name exactly or, with a leading '*', by suffix.
struct WasteKind {
  const char* name;
  bool directory;
  const char* reason;
};

constexpr WasteKind kWaste[] = {
    {".git", true, "git history"},
    {".hg", true, "Mercurial history"},
    {".svn", true, "Subversion metadata"},
    {"node_modules", true, "dependency tree (install it in the image)"},
    {"bower_components", true, "dependency tree"},
    {".venv", true, "virtualenv"},
    {"venv", true, "virtualenv"},
    {"__pycache__", true, "Python bytecode cache"},
    {".pytest_cache", true, "test cache"},
    {".mypy_cache", true, "type-checker cache"},
    {".ruff_cache", true, "linter cache"},
    {".tox", true, "tox environments"},
    {".nox", true, "nox environments"},
    {".gradle", true, "Gradle cache"},
    {".cache", true, "cache"},
    {".parcel-cache", true, "bundler cache"},
    {".turbo", true, "build cache"},
    {".next", true, "build output"},
    {".nuxt", true, "build output"},
    {"dist", true, "build output"},
    {"target", true, "build output"},
    {"coverage", true, "test coverage output"},
    {".nyc_output", true, "test coverage output"},
    {".terraform", true, "Terraform providers and modules"},
    {".idea", true, "editor settings"},
    {"*.log", false, "log file"},
    {"*.zip", false, "archive"},
    {"*.tar", false, "archive"},
    {"*.tar.gz", false, "archive"},
    {"*.tgz", false, "archive"},
    {"*.tar.xz", false, "archive"},
    {"*.tar.bz2", false, "archive"},
    {"*.7z", false, "archive"},
    {"*.rar", false, "archive"},
    {"*.dump", false, "database dump"},
    {"*.sql.gz", false, "database dump"},
    {"*.bak", false, "backup file"},
    {"*.swp", false, "editor swap file"},
    {"*.hprof", false, "heap dump"},
    {"*.heapsnapshot", false, "heap dump"},
    {"*.pyc", false, "Python bytecode"},
    {".DS_Store", false, "macOS folder metadata"},
};
constexpr size_t kWasteCount = sizeof kWaste / sizeof kWaste[0];
static_assert(kWasteCount <= 64, "waste kinds are a 64-bit mask");

uint64_t dir_waste_bits(std::string_view name) {
  uint64_t bits = 0;
  for (size_t i = 0; i < kWasteCount; ++i) {
    if (kWaste[i].directory && name == kWaste[i].name) bits |= uint64_t{1} << i;
  }
  return bits;
}

// A file's own kinds: file kinds, and directory kinds whose rule would hit
// a file of that name too.
uint64_t file_waste_bits(std::string_view name) {
  uint64_t bits = 0;
  for (size_t i = 0; i < kWasteCount; ++i) {
    std::string_view k = kWaste[i].name;
    bool hit =
        k[0] == '*' && !kWaste[i].directory ? name.ends_with(k.substr(1)) && name.size() > k.size() - 1 : name == k;
    if (hit) bits |= uint64_t{1} << i;
  }
  return bits;
}

// Whether a rule's pattern names something that rarely belongs in a context.
bool names_waste(std::string_view pattern) {
  while (pattern.ends_with("/")) pattern.remove_suffix(1);
  for (const WasteKind& k : kWaste) {
    if (pattern == k.name) return true;
  }
  return false;
}

std::string extension_of(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size() || name.size() - dot > 16) return {};
  return ascii_lower(name.substr(dot));
}


// Larger first; at equal size, earlier in walk order.
bool heavier(const SizeEntry& a, const SizeEntry& b) {
  if (a.bytes != b.bytes) return a.bytes > b.bytes;
  return compare_walk_order(a.path, b.path) < 0;
}

// Keeps the `n` heaviest entries; the lightest kept one is at the front.
class TopN {
 public:
  explicit TopN(size_t n) : n_(n) {}
  bool wants(uint64_t bytes) const { return n_ > 0 && (heap_.size() < n_ || bytes > heap_.front().bytes); }
  void offer(SizeEntry e) {
    if (heap_.size() == n_ && !heavier(e, heap_.front())) return;
    if (heap_.size() == n_) {
      std::pop_heap(heap_.begin(), heap_.end(), heavier);
      heap_.pop_back();
    }
    heap_.push_back(std::move(e));
    std::push_heap(heap_.begin(), heap_.end(), heavier);
  }
  std::vector<SizeEntry> sorted() && {
    std::sort(heap_.begin(), heap_.end(), heavier);
    return std::move(heap_);
  }

 private:
  size_t n_;
  std::vector<SizeEntry> heap_;
};

// Sums sizes up the directory stack as the walk goes.
class Measure {
 public:
  Measure(const BuildContext& ctx, const ReportOptions& options, Report& report)
      : options_(options),
        report_(report),
        matcher_(*ctx.matcher),
        keep_out_of_savings_(ctx.builder->always_sent(ctx.dockerfile_rel)),
        files_(options.top),
        dirs_(options.top) {
    for (const Rule& r : matcher_.rules()) report_.rules.push_back(RuleUse{r});
    stack_.push_back(Frame{0, 0, 0, 0, 0, new_node(-1, ".")});
  }

  void observe(const WalkEntry& e) {
    const FileInfo& info = e.entry->info;
    const bool is_dir = info.type == FileType::kDirectory;
    const std::string_view path = e.path;
    if (e.verdict.rule) {
      RuleUse& u = report_.rules[matcher_.index_of(*e.verdict.rule)];
      ++u.paths;
      if (info.type == FileType::kRegular) {
        ++u.files;
        u.bytes += info.size;
      }
    }
    // BuildKit visits an excluded directory it walked into when it knows
    // whether it is sent: after some of its contents.
    if (is_dir && is_at_or_below(dir_, path)) {
      if (e.sent) ++report_.dirs;
      return;
    }
    const std::string_view parent = parent_path(path);
    while (!is_at_or_below(parent, dir_)) pop();
    while (dir_.size() < parent.size()) {
      size_t start = dir_.empty() ? 0 : dir_.size() + 1;
      size_t end = parent.find('/', start);
      push(parent.substr(start, (end == std::string_view::npos ? parent.size() : end) - start));
    }

    switch (info.type) {
      case FileType::kDirectory:
        if (e.sent) ++report_.dirs;
        push(base_name(path));
        break;
      case FileType::kRegular:
        if (e.sent) {
          sent_file(e);
        } else {
          // Each name with its size: remembering excluded inodes would cost
          // memory per file (pnpm's node_modules is all hardlinks).
          ++report_.excluded_files;
          report_.excluded_bytes += info.size;
        }
        break;
      case FileType::kSymlink:
        if (e.sent) ++report_.symlinks;
        break;
      case FileType::kFifo:
      case FileType::kCharDevice:
      case FileType::kBlockDevice:
        if (e.sent) ++report_.others;
        break;
      case FileType::kSocket:
      case FileType::kUnknown:
        break;  // never archived
    }
  }

  void finish() {
    while (stack_.size() > 1) pop();
    Frame& root = stack_.front();
    nodes_[0].bytes = root.bytes;
    nodes_[0].files = root.files;

    for (const auto& [ino, inode] : inodes_) {
      for (size_t b = 0; b < kWasteCount; ++b) {
        if (inode.waste >> b & 1) waste_[b].bytes += inode.size;
      }
    }
    report_.largest_files = std::move(files_).sorted();
    report_.largest_dirs = std::move(dirs_).sorted();
    report_.depth = options_.depth;
    report_.tree = build_tree(0);

    for (auto& [ext, total] : extensions_) report_.extensions.push_back(ExtensionTotal{ext, total.files, total.bytes});
    std::sort(report_.extensions.begin(), report_.extensions.end(), [](const auto& a, const auto& b) {
      return a.bytes != b.bytes ? a.bytes > b.bytes : a.extension < b.extension;
    });

    for (size_t b = 0; b < kWasteCount; ++b) {
      const Waste& w = waste_[b];
      if (w.files == 0) continue;
      std::string name = kWaste[b].name;
      Suggestion sg;
      sg.rule = w.nested ? "**/" + name : name;
      sg.reason = kWaste[b].reason;
      sg.example = w.example;
      sg.files = w.files;
      sg.bytes = w.bytes;
      report_.suggestions.push_back(std::move(sg));
    }
    std::stable_sort(report_.suggestions.begin(), report_.suggestions.end(), [](const auto& a, const auto& b) {
      return a.bytes != b.bytes ? a.bytes > b.bytes : a.files > b.files;
    });
  }

 private:
  struct Frame {
    size_t path_len;  // length of this directory's path (0 at the root)
    uint64_t files, bytes;
    uint64_t waste;  // kinds this directory lies in
    int depth;
    int node;  // du tree node, -1 below the tree's depth
  };
  struct Node {
    std::string path;
    int parent;
    uint64_t bytes = 0, files = 0;
    std::vector<int> children;
  };
  struct Inode {
    uint64_t size;
    uint64_t waste;  // kinds every sent link lies in
  };
  struct Waste {
    uint64_t files = 0, bytes = 0;
    bool nested = false;  // some occurrence is below the root: the rule needs "**/"
    std::string example;
  };

  int new_node(int parent, std::string path) {
    nodes_.push_back(Node{std::move(path), parent, 0, 0, {}});
    int id = static_cast<int>(nodes_.size() - 1);
    if (parent >= 0) nodes_[parent].children.push_back(id);
    return id;
  }

  // Marks an occurrence of the kinds in `bits` (not already inside one) at `path`.
  void occurrence(uint64_t bits, int depth, std::string_view path, bool is_dir) {
    for (size_t b = 0; b < kWasteCount; ++b) {
      if (!(bits >> b & 1)) continue;
      Waste& w = waste_[b];
      if (depth >= 2) w.nested = true;
      if (w.example.empty()) w.example = std::string(path) + (is_dir ? "/" : "");
    }
  }

  void push(std::string_view name) {
    const Frame& parent = stack_.back();
    if (!dir_.empty()) dir_ += '/';
    dir_ += name;
    const int depth = parent.depth + 1;
    const uint64_t own = dir_waste_bits(name);
    occurrence(own & ~parent.waste, depth, dir_, true);
    int node = parent.node >= 0 && depth <= options_.depth ? new_node(parent.node, dir_ + "/") : -1;
    stack_.push_back(Frame{dir_.size(), 0, 0, parent.waste | own, depth, node});
  }

  void pop() {
    Frame f = stack_.back();
    stack_.pop_back();
    Frame& parent = stack_.back();
    parent.files += f.files;
    parent.bytes += f.bytes;
    if (f.node >= 0) {
      nodes_[f.node].bytes = f.bytes;
      nodes_[f.node].files = f.files;
    }
    if (f.files > 0 && dirs_.wants(f.bytes)) dirs_.offer(SizeEntry{dir_ + "/", f.bytes, f.files});
    dir_.resize(parent.path_len);
  }

  void sent_file(const WalkEntry& e) {
    const FileInfo& info = e.entry->info;
    Frame& dir = stack_.back();
    ++report_.files;
    uint64_t bits = dir.waste;
    const bool counts_for_savings =
        std::find(keep_out_of_savings_.begin(), keep_out_of_savings_.end(), e.path) == keep_out_of_savings_.end();
    if (counts_for_savings) {
      uint64_t own = file_waste_bits(e.entry->name);
      occurrence(own & ~dir.waste, dir.depth + 1, e.path, false);
      bits |= own;
    } else {
      bits = 0;
    }
    // The tar holds a hardlinked inode's content once, at its first name.
    uint64_t content = info.size;
    if (info.nlink > 1) {
      auto [it, first] = inodes_.try_emplace(info.ino, Inode{info.size, bits});
      if (!first) {
        content = 0;
        it->second.waste &= bits;
      }
    }
    dir.files += 1;
    dir.bytes += content;
    report_.bytes += content;
    for (size_t b = 0; b < kWasteCount; ++b) {
      if (!(bits >> b & 1)) continue;
      ++waste_[b].files;
      if (info.nlink <= 1) waste_[b].bytes += info.size;
    }
    if (content > 0 && files_.wants(content)) files_.offer(SizeEntry{std::string(e.path), content, 1});
    std::string ext = extension_of(e.entry->name);
    auto& total = extensions_[ext];
    ++total.files;
    total.bytes += content;
  }

  TreeNode build_tree(int id) const {
    const Node& n = nodes_[id];
    TreeNode out{n.path, n.bytes, n.files, {}, 0, 0};
    std::vector<int> kids;
    for (int c : n.children) {
      if (nodes_[c].files > 0) kids.push_back(c);
    }
    std::sort(kids.begin(), kids.end(), [this](int a, int b) {
      return heavier(SizeEntry{nodes_[a].path, nodes_[a].bytes, 0}, SizeEntry{nodes_[b].path, nodes_[b].bytes, 0});
    });
    for (size_t i = 0; i < kids.size(); ++i) {
      if (i < options_.top) {
        out.children.push_back(build_tree(kids[i]));
      } else {
        ++out.more;
        out.more_bytes += nodes_[kids[i]].bytes;
      }
    }
    return out;
  }

  const ReportOptions& options_;
  Report& report_;
  const Matcher& matcher_;
  const std::vector<std::string> keep_out_of_savings_;  // the client sends these whatever a rule says
  std::string dir_;  // path of the directory on top of the stack
  std::vector<Frame> stack_;
  std::vector<Node> nodes_;
  TopN files_, dirs_;
  std::unordered_map<uint64_t, Inode> inodes_;  // sent, hardlinked; keyed like Docker, by inode number
  std::unordered_map<std::string, ExtensionTotal> extensions_;
  Waste waste_[kWasteCount];
};

// Another builder's selection, compared with the main one.
struct Comparison {
  Selection selection;
  std::optional<UnreachableExceptionLint> reach;  // of `selection`'s walk
  std::unique_ptr<BuilderDiff> diff;              // null when both send the same
};

// Everything the main walk feeds.
class ReportVisitor : public WalkVisitor {
 public:
  ReportVisitor(Measure& measure, RuleLint& lint, HazardScanner& hazards, TarSizeCounter& tar,
                UnreachableExceptionLint& reach, std::vector<std::unique_ptr<Comparison>>& others,
                std::vector<std::string>& warnings)
      : measure_(measure),
        lint_(lint),
        hazards_(hazards),
        tar_(tar),
        reach_(reach),
        others_(others),
        warnings_(warnings) {}

  void visit(const WalkEntry& e) override {
    measure_.observe(e);
    lint_.observe(e);
    hazards_.observe(e);
    reach_.observe(e);
    if (!e.sent) return;
    tar_.visit(e);
    for (auto& c : others_) {
      if (c->diff) c->diff->observe_sent(e);
    }
  }
  void warning(const std::string& message) override { warnings_.push_back(message); }

 private:
  Measure& measure_;
  RuleLint& lint_;
  HazardScanner& hazards_;
  TarSizeCounter& tar_;
  UnreachableExceptionLint& reach_;
  std::vector<std::unique_ptr<Comparison>>& others_;
  std::vector<std::string>& warnings_;
};

// Feeds an UnreachableExceptionLint from another builder's walk.
class ReachVisitor : public WalkVisitor {
 public:
  explicit ReachVisitor(UnreachableExceptionLint* lint) : lint_(lint) {}
  void visit(const WalkEntry& e) override { lint_->observe(e); }
  void warning(const std::string&) override {}

 private:
  UnreachableExceptionLint* lint_;
};

std::string ignore_file_name(const BuildContext& c, const char* none) {
  return c.ignore_file.empty() ? std::string(none) : quote_path(c.ignore_file);
}

Finding ignore_file_differs(const BuildContext& a, const BuildContext& b) {
  // In the order of builders(), the default first.
  const auto& all = builders();
  const bool a_first = std::find(all.begin(), all.end(), a.builder) < std::find(all.begin(), all.end(), b.builder);
  const BuildContext& first = a_first ? a : b;
  const BuildContext& second = a_first ? b : a;
  auto reads = [](const BuildContext& c, const char* none) {
    const std::string lookup = c.ignore_file_applies ? "it looks for " + std::string(c.builder->ignore_file_lookup())
                                                     : std::string("it applies none to this context");
    return std::string(c.builder->subject()) + " reads " + ignore_file_name(c, none) + " (" + lookup + ")";
  };
  return Finding{Severity::kInfo,         "ignore-file-differs", reads(first, "no ignore file") + ", " +
                 reads(second, "none"), {}, std::nullopt, false};
}

// Walks what `builder` sends, to compare it with `ctx`'s selection. Null
// (with a warning) when that builder cannot read the context.
std::unique_ptr<Comparison> compare_with(const ContextOptions& options, const BuildContext& ctx,
                                         const Builder& builder, Report& report, std::vector<Finding>& findings) {
  const std::string not_compared = "not compared with " + std::string(builder.subject()) + ": ";
  auto c = std::make_unique<Comparison>();
  try {
    ContextOptions o = options;
    o.builder = &builder;
    c->selection.ctx = open_build_context(o);
  } catch (const Error& e) {
    report.warnings.push_back(not_compared + e.what());
    return nullptr;
  }
  const BuildContext& other = c->selection.ctx;
  if (other.ignore_file != ctx.ignore_file) findings.push_back(ignore_file_differs(ctx, other));
  // With the same rules, matched alike, and no exception, every builder
  // sends exactly the entries the rules keep.
  if (other.ignore_file == ctx.ignore_file && ctx.matcher->syntax() == other.matcher->syntax() &&
      !ctx.matcher->has_exceptions() && !other.matcher->has_exceptions()) {
    return c;
  }
  c->reach.emplace(other);
  ReachVisitor reach_visitor(&*c->reach);
  try {
    walk_selection(c->selection, SelectOptions{.record = true,
                                               .audit = true,
                                               .also = c->reach->active() ? &reach_visitor : nullptr});
  } catch (const Error& e) {
    report.warnings.push_back(not_compared + e.what());
    return nullptr;
  }
  c->diff = std::make_unique<BuilderDiff>(ctx, c->selection);
  return c;
}

}  // namespace

// Whether the build moves a sent path to the builder: everything, unless
// the builder transfers only what the Dockerfile's sources name (and the
// directories above them). Symlinks on the way are not followed here: a
// path they would bring is taken as left behind, which only ever lowers a
// finding to an info.
// Paths a build step names, matched as the builder's FollowPaths would.
std::function<bool(std::string_view)> naming(const std::set<std::string>& named) {
  std::vector<Rule> rules;
  for (const std::string& p : named) rules.push_back(Rule{p.substr(1), "(FollowPaths)", 0, p.substr(1)});
  auto matcher = std::make_shared<Matcher>(std::move(rules));
  return [matcher](std::string_view path) {
    try {
      return matcher->matches_or_parents(path).excluded;
    } catch (const PatternError&) {
      return true;
    }
  };
}

// The sources of COPY/ADD steps a RUN follows in their stage, and what RUN
// mounts, each with its line.
std::vector<std::pair<std::string, size_t>> run_inputs(const Build& build) {
  std::vector<std::pair<std::string, size_t>> inputs;
  for (const BuildStage& st : build.stages) {
    if (!st.built) continue;
    std::vector<std::pair<std::string, size_t>> copied;
    for (const BuildStep& step : st.steps) {
      const size_t line = build.file.instructions[step.instruction].line;
      if (step.kind == StepKind::kCopy && step.copy.from.empty()) {
        for (const std::string& src : step.copy.sources) copied.emplace_back(src, line);
      }
      for (const std::string& src : step.run_context_paths) inputs.emplace_back(src, line);
      if (step.kind == StepKind::kRun) {
        inputs.insert(inputs.end(), copied.begin(), copied.end());
        copied.clear();
      }
    }
  }
  return inputs;
}

BuildUse build_use(const BuildContext& ctx, BuildOptions options) {
  BuildUse use;
  if (!ctx.dockerfile_exists) return use;
  try {
    options.builder = ctx.builder;
    const Build build =
        evaluate_dockerfile(parse_dockerfile(read_dockerfile(ctx).text, ctx.dockerfile_path), options);
    bool any = false;
    const std::set<std::string> named = context_sources(build, &any);
    if (!ctx.builder->copy_rules().uploads_selection() && !named.count("/")) use.moved = naming(named);
    const CopyRules& rules = ctx.builder->copy_rules();
    use.read_by_run = [inputs = run_inputs(build), &rules](std::string_view path) -> std::optional<size_t> {
      for (const auto& [word, line] : inputs) {
        for (std::string_view p = path; !p.empty(); p = parent_path(p)) {
          if (rules.names(word, p)) return line;
        }
      }
      return std::nullopt;
    };
  } catch (const Error&) {
    // A Dockerfile the builder refuses: nothing is known to stay behind.
  }
  return use;
}

// The first few paths of a verification, and how many more.
// A bare name that matches only at the root while nested ones are sent:
// "**/" is proposed only when that keeps out something and holds.
bool rewrite_root_only(Finding& f, Verifier& verifier, const std::function<bool(std::string_view)>& moved) {
  const std::string text(trim_space(f.rule->text));
  IgnoreEdit edit{verifier.ignore_file(), f.rule->line, "**/" + text};
  Verified v = verifier.check(edit);
  if (!v.holds) return false;
  std::string pattern = f.rule->pattern;
  // Worth changing when it keeps out something heavy or of a kind that
  // never belongs, the build would move it at all, and it is not all
  // files committed on purpose.
  const bool moves = std::any_of(v.removed.begin(), v.removed.end(), [&](const std::string& p) {
    return moved(std::string_view(p).substr(0, p.find_last_not_of('/') + 1));
  });
  const bool all_committed = v.untracked_files_saved == 0u;
  f.severity = moves && !all_committed && (names_waste(pattern) || v.bytes_saved >= 1000000) ? Severity::kWarning
                                                                                           : Severity::kInfo;
  f.message = "\"" + pattern + "\" matches only at the context root; \"**/" + text + "\" would also keep out " +
              removed_listing(v) + " (" + plural(v.files_saved, "file", "files") + ", " + human_size(v.bytes_saved) +
              (v.copy_checked ? "; no COPY source affected)" : ")");
  f.path = v.removed.empty() ? f.path : v.removed.front();
  f.fix = edit;
  return true;
}

// Keeps only the advice that holds when tried, with what it really saves.
void verify_advice(const ContextOptions& context, const ReportOptions& options, Report& report,
                   std::vector<Finding>& findings, const BuildUse& use) {
  auto is_root_only = [](const Finding& f) { return f.code == "root-only-pattern"; };
  auto worth = [&](const Finding& f) { return is_root_only(f) || is_tidy_up(f); };
  if (report.suggestions.empty() && std::none_of(findings.begin(), findings.end(), worth)) return;
  Verifier verifier(context, options.build);
  propose_tidy_ups(findings, verifier);
  std::vector<Suggestion> kept;
  for (Suggestion& s : report.suggestions) {
    IgnoreEdit edit{verifier.ignore_file(), std::nullopt, s.rule};
    Verified v = verifier.check(edit);
    // What a fresh clone has too was committed on purpose: a "target" that
    // is a source package, test archives. Only VCS metadata is never
    // committed, and it counts as untracked.
    if (!v.holds || v.untracked_files_saved == 0u) continue;
    // The git-dir finding explains why .git may be wanted there.
    if (s.rule == ".git" && use.read_by_run(".git")) continue;
    s.files = v.files_saved;
    s.bytes = v.bytes_saved;
    s.fix = edit;
    s.copy_checked = v.copy_checked;
    kept.push_back(std::move(s));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.files > b.files;
  });
  report.suggestions = std::move(kept);
  std::erase_if(findings, [&](Finding& f) { return is_root_only(f) && !rewrite_root_only(f, verifier, use.moved); });
  // A rewrite of the existing line says the same as appending its twin:
  // one fix per change, so that applying them all stays tidy.
  auto bare = [](std::string_view t) { return t.substr(0, t.find_last_not_of('/') + 1); };
  std::erase_if(report.suggestions, [&](const Suggestion& s) {
    return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) {
      return is_root_only(f) && f.fix && f.fix->text && bare(*f.fix->text) == bare(s.rule);
    });
  });
}

Report make_report(const ContextOptions& context_options, const ReportOptions& options) {
  // A missing Dockerfile is a finding: the sizes are worth having anyway.
  ContextOptions context = context_options;
  context.require_dockerfile = false;
  BuildContext ctx = open_build_context(context);
  Report report;
  report.context = ctx.dir;
  report.builder = ctx.builder;
  report.dockerfile = ctx.git ? ctx.dockerfile_rel : ctx.dockerfile_path;  // not the temporary clone
  report.ignore_file = ctx.ignore_file;
  std::vector<Finding> findings;
  if (!ctx.dockerfile_exists) {
    findings.push_back(Finding{Severity::kError, "dockerfile-missing",
                               "no Dockerfile at " + quote_path(ctx.dockerfile_path) + ": docker build fails", {},
                               std::nullopt, false});
  }
  std::vector<std::unique_ptr<Comparison>> others;
  if (options.compare_builders) {
    report.compared = true;
    for (const Builder* b : builders()) {
      if (b == ctx.builder || !builder_takes(*b, ctx)) continue;
      others.push_back(compare_with(context, ctx, *b, report, findings));
      report.compared = report.compared && others.back();
    }
    std::erase(others, nullptr);
  }

  Measure measure(ctx, options, report);
  RuleLint lint(*ctx.matcher);
  const BuildUse use = build_use(ctx, options.build);
  HazardScanner hazards(ctx, use);
  TarSizeCounter tar(ctx);
  UnreachableExceptionLint reach(ctx);
  ReportVisitor visitor(measure, lint, hazards, tar, reach, others, report.warnings);
  walk_context(ctx, WalkOptions{.stat = true, .include_excluded = true, .keep_going = true}, visitor);
  measure.finish();
  report.tar_bytes = tar.total();

  auto append = [&findings](std::vector<Finding> more) {
    for (Finding& f : more) findings.push_back(std::move(f));
  };
  append(lint.finish());
  append(reach.finish());
  for (auto& c : others) {
    if (c->reach) append(c->reach->finish());
  }
  append(hazards.finish());
  for (auto& c : others) {
    if (c->diff) append(c->diff->finish());
  }
  // Rules proposed for an archive or a temporary clone could not be applied.
  if (ctx.archive || ctx.git) report.suggestions.clear(); else verify_advice(context, options, report, findings, use);
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  report.findings = std::move(findings);
  return report;
}

}  // namespace ctxpack
