#include "ctxpack/context/explain.h"

#include "ctxpack/support/path.h"
#include "ctxpack/context/walk.h"

namespace ctxpack {

Explanation explain_by_rules(const Matcher& matcher, std::string_view path) {
  Explanation ex;
  explain_by_rules(matcher, path, ex);
  return ex;
}

void explain_by_rules(const Matcher& matcher, std::string_view path, Explanation& ex) {
  if (is_clean_path(path)) {
    ex.path.assign(path);
  } else {
    ex.path = clean_path(path);
  }
  ex.verdict = Verdict{};
  ex.excluded = false;
  ex.via.clear();
  ex.note.clear();
  if (ex.path == ".") return;  // Docker never excludes the context root
  ex.verdict = matcher.matches_or_parents(ex.path);
  ex.excluded = ex.verdict.excluded;
  if (ex.verdict.via_parent) ex.via = matcher.parent_matched_by(*ex.verdict.rule, ex.path);
}

namespace {

// An archive's or a git context's ignore file is not applied: say what it
// would have done,
// or, for what the classic daemon deletes after reading, that it does.
void note_unapplied(const BuildContext& ctx, Explanation& ex) {
  Verdict v;
  try {
    v = ctx.unapplied->matches_or_parents(ex.path);
  } catch (const PatternError&) {
    return;  // never evaluated by the builder
  }
  if (!v.excluded || !v.rule) return;
  const std::string rule = v.rule->file + ":" + std::to_string(v.rule->line) + " " + v.rule->text;
  for (const std::string& name : ctx.builder->deleted_after_upload(*ctx.matcher)) {
    if (name != ex.path) continue;
    ex.note = std::string(ctx.builder->subject()) + " deletes it from the archive after reading it, since " + rule +
              " excludes it: COPY cannot see it";
    return;
  }
  ex.note = std::string("the context is ") + (ctx.archive ? "an archive" : "a git repository") + ", to which " +
            std::string(ctx.builder->subject()) +
            " applies no ignore file (" + rule + " would exclude it from a directory)";
}

}  // namespace

Explanation explain_in_context(BuildContext& ctx, std::string_view path) {
  const Matcher& matcher = *ctx.matcher;
  Explanation ex;
  ex.path = clean_path(path);
  if (ex.path == ".") return ex;
  FileSystem& fs = *ctx.fs;

  // Follow the path down, directory by directory, as the walk would.
  FileSystem::Dir dir = fs.root();
  std::vector<DirHandle> open;
  bool exists = true;
  Matcher::Trail trail, next_trail;
  bool has_trail = false;
  std::string excluded_parent;
  size_t start = 0;
  while (true) {
    size_t slash = ex.path.find('/', start);
    bool last = slash == std::string::npos;
    std::string_view sub = std::string_view(ex.path).substr(0, last ? ex.path.size() : slash);
    std::string name(std::string_view(ex.path).substr(start, sub.size() - start));
    bool is_dir = !last;
    if (exists) {
      FileInfo info;
      if (fs.stat(dir, name, &info) == 0) {
        if (last)
          is_dir = info.type == FileType::kDirectory;
        else if (info.type != FileType::kDirectory)
          exists = false;
      } else {
        exists = false;
      }
    }
    Verdict v = matcher.matches_with_parent(sub, has_trail ? &trail : nullptr, is_dir ? &next_trail : nullptr);
    if (last) {
      ex.verdict = v;
      ex.excluded = v.excluded;
      break;
    }
    if (v.excluded) {
      if (ctx.walk.prune(sub)) {
        ex.excluded = true;
        ex.verdict = v;
        ex.verdict.via_parent = true;
        ex.via = sub;
        if (!matcher.matches_or_parents(ex.path).excluded) {
          ex.note = std::string(ctx.builder->id()) + " never walks into excluded directory " +
                    std::string(sub) + "/, so no exception can re-include this path";
        }
        break;
      }
      if (excluded_parent.empty()) excluded_parent = sub;
    }
    std::swap(trail, next_trail);
    has_trail = true;
    if (exists) {
      FileSystem::Dir child;
      if (fs.open_dir(dir, name, &child) == 0) {
        open.emplace_back(fs, child);
        dir = child;
      } else {
        exists = false;
      }
    }
    start = slash + 1;
  }
  if (ex.via.empty() && ex.verdict.via_parent && ex.verdict.rule) {
    ex.via = matcher.parent_matched_by(*ex.verdict.rule, ex.path);
  }
  if (ex.note.empty() && !ex.excluded && !excluded_parent.empty()) {
    ex.note = ctx.walk.send_excluded_parents
                  ? "its excluded parent directory " + excluded_parent + "/ is sent along with it"
                  : "sent without its excluded parent directory " + excluded_parent + "/";
  }
  if (!exists && ex.note.empty()) ex.note = "not in the context (judged as a file)";
  if (ctx.unapplied && !ex.excluded && ex.note.empty()) note_unapplied(ctx, ex);
  return ex;
}

}  // namespace ctxpack
