#include "ctxpack/context/walk.h"

#include <cstring>

#include "ctxpack/support/error.h"
#include "walk_support.h"

namespace ctxpack {

namespace detail {

namespace {
int list_sorted(FileSystem& fs, FileSystem::Dir dir, bool stat, std::vector<DirEntry>& out) {
  int err = fs.read_dir(dir, stat, &out);
  if (err) return err;
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return 0;
}
}  // namespace

int open_listing(FileSystem& fs, FileSystem::Dir parent, const std::string& name, bool stat, Frame** out,
                 std::vector<Frame>& stack) {
  FileSystem::Dir dir;
  if (int err = fs.open_dir(parent, name, &dir)) return err;
  stack.emplace_back(fs, dir);
  if (int err = list_sorted(fs, dir, stat, stack.back().entries)) {
    stack.pop_back();
    return err;
  }
  *out = &stack.back();
  return 0;
}

void push_root(FileSystem& fs, bool stat, std::vector<Frame>& stack) {
  stack.emplace_back(fs, fs.root());
  if (int err = list_sorted(fs, fs.root(), stat, stack.back().entries)) {
    throw_errno("cannot read", "the context directory", err);
  }
}

}  // namespace detail

namespace {
// fsutil trims a trailing "/**" and then a trailing "/*".
std::string_view strip_trailing_glob(std::string_view p) {
  if (p.size() >= 3 && p.substr(p.size() - 3) == "/**") p.remove_suffix(3);
  if (p.size() >= 2 && p.substr(p.size() - 2) == "/*") p.remove_suffix(2);
  return p;
}
}  // namespace

bool exception_reaches_into(const Matcher& matcher, std::string_view dir, bool strip_glob) {
  for (size_t i = 0; i < matcher.size(); ++i) {
    if (!matcher.is_exception(i)) continue;
    std::string_view p = matcher.pattern(i).text();
    if (strip_glob) p = strip_trailing_glob(p);
    // Literal prefix test on the text: wildcards are not interpreted.
    if (p.substr(0, dir.size()) == dir && (p.size() == dir.size() || (p.size() > dir.size() && p[dir.size()] == '/'))) {
      return true;
    }
  }
  return false;
}

bool buildkit_can_prune_by_prefix(const Matcher& matcher) {
  for (size_t i = 0; i < matcher.size(); ++i) {
    if (!matcher.is_exception(i)) continue;
    std::string_view p = strip_trailing_glob(matcher.pattern(i).text());
    if (p.find_first_of("*[]?^\\") != std::string_view::npos) return false;
  }
  return true;
}

void walk_context(BuildContext& ctx, const WalkOptions& options, WalkVisitor& visitor) {
  if (ctx.builder == Builder::kLegacy) {
    validate_legacy_context(*ctx.fs, *ctx.matcher);
    walk_legacy(*ctx.fs, *ctx.matcher, options, visitor);
  } else {
    walk_buildkit(*ctx.fs, *ctx.matcher, options, visitor);
  }
}

}  // namespace ctxpack

namespace ctxpack::detail {

void walk_tree(FileSystem& fs, const Matcher& matcher, const WalkOptions& options, WalkVisitor& visitor,
               const WalkPolicy& policy) {
  const bool prefix_only = buildkit_can_prune_by_prefix(matcher);
  std::vector<Frame> stack;
  stack.reserve(64);
  push_root(fs, options.stat, stack);
  std::string path;

  auto visit = [&](std::string_view p, const DirEntry* e, FileSystem::Dir dir, Verdict v, bool sent, bool pruned) {
    WalkEntry we{p, e, dir, v, sent, pruned};
    visitor.visit(we);
  };

  // Sends the excluded directories above the current entry that BuildKit
  // has held back, outermost first.
  auto send_held_parents = [&]() {
    for (size_t i = 1; i < stack.size(); ++i) {
      Frame& f = stack[i];
      if (f.emitted) continue;
      f.emitted = true;
      visit(std::string_view(path).substr(0, f.path_len - 1), f.self, stack[i - 1].handle.get(), f.verdict, true,
            false);
    }
  };

  // Opens a directory to walk; returns null when it cannot (after deciding
  // whether that is fatal).
  auto descend = [&](const DirEntry& e, const Verdict& v, bool excluded, bool pruned) -> Frame* {
    Frame* child = nullptr;
    FileSystem::Dir parent = stack.back().handle.get();
    int err = open_listing(fs, parent, e.name, options.stat, &child, stack);
    if (err) {
      if (err == ENOENT || err == ENOTDIR) {
        visitor.warning(path + ": vanished during the walk");
      } else if (pruned) {
        visitor.warning(path + ": cannot read excluded directory: " + std::strerror(err));
      } else if (excluded && policy.tolerate_unreadable_excluded && is_permission_error(err)) {
        visitor.warning(path + ": skipped unreadable excluded directory (" + std::strerror(err) + ")");
      } else if (!policy.tolerate_unreadable_excluded || options.keep_going) {
        visitor.warning(path + ": cannot read directory: " + std::strerror(err));
      } else {
        throw Error("cannot read directory " + path + ": " + std::strerror(err));
      }
      return nullptr;
    }
    child->path_len = path.size() + 1;
    child->self = &e;
    child->verdict = v;
    child->pruned = pruned;
    child->emitted = !excluded;
    return child;
  };

  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next == f.entries.size()) {
      if (options.include_excluded && !f.emitted && !f.pruned && policy.send_excluded_parents) {
        // Walked into but nothing kept: now it is known not to be sent.
        path.resize(f.path_len - 1);
        visit(path, f.self, stack[stack.size() - 2].handle.get(), f.verdict, false, false);
      }
      stack.pop_back();
      continue;
    }
    const DirEntry& e = f.entries[f.next++];
    detail::set_entry_path(path, f, e.name);
    const bool is_dir = e.info.type == FileType::kDirectory;
    const FileSystem::Dir dir = f.handle.get();

    if (f.pruned) {
      Verdict inherited = f.verdict;
      inherited.via_parent = true;
      visit(path, &e, dir, inherited, false, true);
      if (is_dir) descend(e, inherited, true, true);
      continue;
    }

    Matcher::Trail trail;
    Verdict v = matcher.matches_with_parent(path, f.has_trail ? &f.trail : nullptr, is_dir ? &trail : nullptr);

    if (!v.excluded) {
      if (e.info.type == FileType::kSocket && !policy.send_sockets) {
        visitor.warning(path + ": socket not sent (" + policy.name + " builder cannot archive sockets)");
        if (options.include_excluded) visit(path, &e, dir, v, false, false);
        continue;
      }
      if (policy.send_excluded_parents) send_held_parents();
      visit(path, &e, dir, v, true, false);
      if (is_dir) {
        if (Frame* child = descend(e, v, false, false)) {
          child->trail = std::move(trail);
          child->has_trail = true;
        }
      }
      continue;
    }

    if (!is_dir) {
      if (options.include_excluded) visit(path, &e, dir, v, false, false);
      continue;
    }
    if (policy.prune(matcher, path, prefix_only)) {
      if (options.include_excluded) {
        visit(path, &e, dir, v, false, false);
        descend(e, v, true, true);
      }
      continue;
    }
    if (options.include_excluded && !policy.send_excluded_parents) visit(path, &e, dir, v, false, false);
    if (Frame* child = descend(e, v, true, false)) {
      child->trail = std::move(trail);
      child->has_trail = true;
    }
  }
}

}  // namespace ctxpack::detail
