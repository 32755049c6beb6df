// The classic builder's context: the docker CLI's validation pass, then the
// tar walk of go-archive's TarWithOptions.
#include <cstring>

#include "ctxpack/support/error.h"
#include "ctxpack/context/walk.h"
#include "walk_support.h"

namespace ctxpack {

namespace {

bool legacy_prune(const Matcher& matcher, std::string_view dir, bool /*prefix_only*/) {
  return !matcher.has_exceptions() || !exception_reaches_into(matcher, dir, false);
}

constexpr detail::WalkPolicy kLegacy{legacy_prune, false, false, false, "legacy"};

}  // namespace

void walk_legacy(FileSystem& fs, const Matcher& matcher, const WalkOptions& options, WalkVisitor& visitor) {
  detail::walk_tree(fs, matcher, options, visitor, kLegacy);
}

void validate_legacy_context(FileSystem& fs, const Matcher& matcher) {
  using detail::Frame;
  std::vector<Frame> stack;
  try {
    detail::push_root(fs, false, stack);
  } catch (const Error& e) {
    throw Error(std::string("checking context: ") + e.what());
  }
  std::string path;
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next == f.entries.size()) {
      stack.pop_back();
      continue;
    }
    const DirEntry& e = f.entries[f.next++];
    detail::set_entry_path(path, f, e.name);
    const FileSystem::Dir dir = f.handle.get();
    const bool is_dir = e.info.type == FileType::kDirectory;
    bool excluded;
    try {
      excluded = matcher.matches_or_parents(path).excluded;
    } catch (const PatternError& err) {
      throw Error(std::string("checking context: ") + err.what());
    }
    if (excluded) {
      // The CLI lists a directory before asking whether it is excluded, so
      // an unreadable excluded directory still fails the build.
      if (is_dir) {
        int err = fs.check_readable(dir, e.name);
        if (detail::is_permission_error(err)) throw Error("checking context: can't stat '" + path + "'");
      }
      continue;
    }
    if (e.info.type == FileType::kSymlink || e.info.type == FileType::kFifo) continue;
    if (is_dir) {
      Frame* child = nullptr;
      int err = detail::open_listing(fs, dir, e.name, false, &child, stack);
      if (detail::is_permission_error(err)) throw Error("checking context: can't stat '" + path + "'");
      if (err == ENOENT) throw Error("checking context: file ('" + path + "') not found or excluded by .dockerignore");
      if (err) throw Error("checking context: " + path + ": " + std::strerror(err));
      child->path_len = path.size() + 1;
      continue;
    }
    int err = fs.check_readable(dir, e.name);
    if (detail::is_permission_error(err)) throw Error("checking context: no permission to read from '" + path + "'");
  }
}

}  // namespace ctxpack
