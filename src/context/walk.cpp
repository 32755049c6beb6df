#include "ctxpack/context/walk.h"

#include <cstring>

#include "ctxpack/support/error.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

namespace {

bool is_permission_error(int err) { return err == EACCES || err == EPERM; }

// One directory on the walk's stack.
struct Frame {
  Frame(FileSystem& fs, FileSystem::Dir dir) : handle(fs, dir) {}
  DirHandle handle;
  std::vector<DirEntry> entries;  // sorted by name, byte-wise
  size_t next = 0;
  size_t path_len = 0;  // length of this directory's path plus '/' (0 at the root)
  Matcher::Trail trail;
  bool has_trail = false;          // false at the root: Docker passes no parent results there
  const DirEntry* self = nullptr;  // this directory's own entry (in the parent frame)
  Verdict verdict;                 // the rules' decision for this directory
  bool emitted = true;             // sent already (an excluded directory is sent lazily, if at all)
  bool pruned = false;             // not walked by the builder; visited only for include_excluded
};

// The walk of one context: a stack of open, sorted directories.
class Walk {
 public:
  Walk(FileSystem& fs, const Matcher& matcher, const Builder& builder, const WalkRules& rules,
       const WalkOptions& options, WalkVisitor& visitor)
      : fs_(fs), matcher_(matcher), builder_(builder), rules_(rules), options_(options), visitor_(visitor) {}

  void run() {
    stack_.reserve(64);
    stack_.emplace_back(fs_, fs_.root());
    if (int err = read_dir_sorted(fs_, fs_.root(), options_.stat, &stack_.back().entries)) {
      throw_errno("cannot read", "the context directory", err);
    }
    while (!stack_.empty()) {
      Frame& f = stack_.back();
      if (f.next == f.entries.size()) {
        leave(f);
        continue;
      }
      const DirEntry& e = f.entries[f.next++];
      path_.resize(f.path_len);
      if (f.path_len) path_[f.path_len - 1] = '/';
      path_ += e.name;
      entry(f, e);
    }
  }

 private:
  void visit(std::string_view p, const DirEntry* e, FileSystem::Dir dir, Verdict v, bool sent, bool pruned) {
    WalkEntry we{p, e, dir, v, sent, pruned};
    visitor_.visit(we);
  }

  void entry(Frame& f, const DirEntry& e) {
    const bool is_dir = e.info.type == FileType::kDirectory;
    const FileSystem::Dir dir = f.handle.get();
    if (f.pruned) {
      Verdict inherited = f.verdict;
      inherited.via_parent = true;
      visit(path_, &e, dir, inherited, false, true);
      if (is_dir) descend(e, inherited, true, true);
      return;
    }
    Matcher::Trail trail;
    Verdict v = matcher_.matches_with_parent(path_, f.has_trail ? &f.trail : nullptr, is_dir ? &trail : nullptr);
    if (!v.excluded) {
      if (e.info.type == FileType::kSocket && !rules_.send_sockets) {
        visitor_.warning(path_ + ": socket not sent (" + std::string(builder_.id()) +
                         " builder cannot archive sockets)");
        if (options_.include_excluded) visit(path_, &e, dir, v, false, false);
        return;
      }
      if (rules_.send_excluded_parents) send_held_parents();
      visit(path_, &e, dir, v, true, false);
      if (is_dir) descend_with(e, v, false, std::move(trail));
      return;
    }
    if (!is_dir) {
      if (options_.include_excluded) visit(path_, &e, dir, v, false, false);
      return;
    }
    if (rules_.prune(path_)) {
      if (options_.include_excluded) {
        visit(path_, &e, dir, v, false, false);
        descend(e, v, true, true);
      }
      return;
    }
    if (options_.include_excluded && !rules_.send_excluded_parents) visit(path_, &e, dir, v, false, false);
    descend_with(e, v, true, std::move(trail));
  }

  void leave(Frame& f) {
    if (options_.include_excluded && !f.emitted && !f.pruned && rules_.send_excluded_parents) {
      // Walked into but nothing kept: now it is known not to be sent.
      path_.resize(f.path_len - 1);
      visit(path_, f.self, stack_[stack_.size() - 2].handle.get(), f.verdict, false, false);
    }
    stack_.pop_back();
  }

  // Sends the excluded directories above the current entry that are held
  // back until something below them is kept, outermost first.
  void send_held_parents() {
    for (size_t i = 1; i < stack_.size(); ++i) {
      Frame& f = stack_[i];
      if (f.emitted) continue;
      f.emitted = true;
      visit(std::string_view(path_).substr(0, f.path_len - 1), f.self, stack_[i - 1].handle.get(), f.verdict, true,
            false);
    }
  }

  void descend_with(const DirEntry& e, const Verdict& v, bool excluded, Matcher::Trail trail) {
    if (Frame* child = descend(e, v, excluded, false)) {
      child->trail = std::move(trail);
      child->has_trail = true;
    }
  }

  // Opens a directory to walk; returns null when it cannot (after deciding
  // whether that is fatal).
  Frame* descend(const DirEntry& e, const Verdict& v, bool excluded, bool pruned) {
    FileSystem::Dir parent = stack_.back().handle.get();
    FileSystem::Dir dir;
    int err = fs_.open_dir(parent, e.name, &dir);
    if (!err) {
      stack_.emplace_back(fs_, dir);
      std::vector<DirEntry>& entries = stack_.back().entries;
      err = read_dir_sorted(fs_, dir, options_.stat, &entries);
      // Docker's walks stat every entry: a directory that can be listed but
      // not searched fails there even when the names alone would do here.
      FileInfo probe;
      if (!err && !options_.stat && !entries.empty()) {
        err = fs_.stat(dir, entries.front().name, &probe);
        if (err == ENOENT) err = 0;  // that one vanished: the rest is still listable
      }
      if (err) stack_.pop_back();
    }
    if (err) {
      cannot_open(err, excluded, pruned);
      return nullptr;
    }
    Frame* child = &stack_.back();
    child->path_len = path_.size() + 1;
    child->self = &e;
    child->verdict = v;
    child->pruned = pruned;
    child->emitted = !excluded;
    return child;
  }

  void cannot_open(int err, bool excluded, bool pruned) {
    if (err == ENOENT || err == ENOTDIR) {
      visitor_.warning(path_ + ": vanished during the walk");
    } else if (pruned) {
      visitor_.warning(path_ + ": cannot read excluded directory: " + std::strerror(err));
    } else if (excluded && rules_.tolerate_unreadable_excluded && is_permission_error(err)) {
      visitor_.warning(path_ + ": skipped unreadable excluded directory (" + std::strerror(err) + ")");
    } else if (!rules_.tolerate_unreadable_excluded || options_.keep_going) {
      // The client's checks refused such a directory already, unless they
      // were skipped for an audit.
      visitor_.warning(path_ + ": cannot read directory: " + std::strerror(err));
    } else {
      throw Error("cannot read directory " + path_ + ": " + std::strerror(err));
    }
  }

  FileSystem& fs_;
  const Matcher& matcher_;
  const Builder& builder_;
  const WalkRules& rules_;
  const WalkOptions& options_;
  WalkVisitor& visitor_;
  std::vector<Frame> stack_;
  std::string path_;
};

// fsutil trims a trailing "/**" and then a trailing "/*".
std::string_view strip_trailing_glob(std::string_view p) {
  if (p.ends_with("/**")) p.remove_suffix(3);
  if (p.ends_with("/*")) p.remove_suffix(2);
  return p;
}

}  // namespace

bool exception_reaches_into(const Matcher& matcher, std::string_view dir, bool strip_glob) {
  for (size_t i = 0; i < matcher.size(); ++i) {
    if (!matcher.is_exception(i)) continue;
    std::string_view p = matcher.pattern(i).text();
    if (strip_glob) p = strip_trailing_glob(p);
    // Literal prefix test on the text: wildcards are not interpreted.
    if (is_at_or_below(p, dir)) return true;
  }
  return false;
}

void walk(FileSystem& fs, const Matcher& matcher, const Builder& builder, const WalkOptions& options,
          WalkVisitor& visitor) {
  if (!options.keep_going) builder.validate(fs, matcher);
  const WalkRules rules = builder.walk_rules(matcher);
  Walk(fs, matcher, builder, rules, options, visitor).run();
}

void walk_context(BuildContext& ctx, const WalkOptions& options, WalkVisitor& visitor) {
  if (!options.keep_going) ctx.builder->validate(*ctx.fs, *ctx.matcher);
  Walk(*ctx.fs, *ctx.matcher, *ctx.builder, ctx.walk, options, visitor).run();
}

void check_context(BuildContext& ctx) {
  if (!ctx.matcher->has_invalid_patterns()) return;
  struct Silent : WalkVisitor {
    void visit(const WalkEntry&) override {}
    void warning(const std::string&) override {}
  } silent;
  walk_context(ctx, WalkOptions{}, silent);
}

}  // namespace ctxpack
