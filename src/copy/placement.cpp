// Where COPY and ADD put each source item, given what the image already
// holds there.
#include "ctxpack/support/path.h"
#include "planner.h"

namespace ctxpack::copy {

namespace {
std::string parent_or_root(const std::string& abs) {
  std::string_view parent = parent_path(abs);
  return parent.empty() ? "/" : std::string(parent);
}
}  // namespace

std::unique_ptr<Matcher> exclude_matcher(const std::vector<std::string>& excludes) {
  if (excludes.empty()) return nullptr;
  std::vector<Rule> rules;
  for (const auto& e : excludes) {
    for (auto& r : parse_ignore_file(e, "--exclude").rules) rules.push_back(std::move(r));
  }
  return std::make_unique<Matcher>(std::move(rules));
}

void Placer::place(const Source& s, const CopyCommand& c, const std::string& dest, ImageTree& img, CopyStep& step,
                   bool assume_dir) {
  CopyItem item;
  item.source = s.word;
  item.path = s.heredoc || s.remote ? s.word : (s.path.empty() ? "." : s.path);
  item.flattened = s.flattened;
  item.first_entry = step.plan.entries.size();
  const std::string clean_dest = clean_path(dest);

  // Local archives are extracted by ADD.
  std::vector<ArchiveEntry> archive;
  const bool extract = c.add && !s.remote && !s.heredoc && s.node && s.node->type == FileType::kRegular &&
                       c.unpack.value_or(true) && is_archive(s, step.context, &archive);
  if (placement_.prepares_destination) {
    img.mkdir_p(dir_form(dest) || extract || assume_dir ? clean_dest : parent_or_root(clean_dest), &step.plan.entries);
  }
  const std::string dst = img.resolved(clean_dest, true);
  Node* existing = img.find(dst);

  if (extract) {
    place_archive(s, archive, dst, img, step, item);
  } else if (s.git) {
    item.type = EntryType::kDir;
    item.dest = dst;
    img.mkdir_p(dst, &step.plan.entries);
    step.warn("remote-source", s.word + ": the repository's files are not known until the build fetches them");
  } else if (s.node && s.node->is_dir()) {
    place_dir(s, c, dst, existing, img, step, item);
    symlink_note(s, step);
  } else {
    place_file(s, dest, dst, existing, img, step, item, assume_dir);
    symlink_note(s, step);
  }
  finish_item(item, step);
}

void Placer::place_archive(const Source& s, const std::vector<ArchiveEntry>& archive, const std::string& dst,
                           ImageTree& img, CopyStep& step, CopyItem& item) {
  item.archive = true;
  item.type = EntryType::kDir;
  if (!placement_.prepares_destination) img.mkdir_p(dst, &step.plan.entries);
  item.dest = dst;
  for (const auto& e : archive) {
    std::string target = clean_path(dst + "/" + e.path);
    img.mkdir_p(std::string(parent_path(target)), &step.plan.entries);
    Node n;
    n.type = e.type == EntryType::kDir       ? FileType::kDirectory
             : e.type == EntryType::kSymlink ? FileType::kSymlink
                                             : FileType::kRegular;
    n.size = e.size;
    n.link = e.link;
    if (n.is_dir()) {
      Node* there = img.find(target);
      if (there && there->is_dir()) continue;
    }
    put_node(n, s.path + ":" + e.path, target, img, step, item, false);
  }
}

void Placer::place_dir(const Source& s, const CopyCommand& c, const std::string& dst, Node* existing,
                       ImageTree& img, CopyStep& step, CopyItem& item) {
  item.type = EntryType::kDir;
  item.dest = dst;
  if (existing && !existing->is_dir() && !existing->uncertain) throw Error(rules_.dir_onto_file_error(dst));
  if (existing && !existing->is_dir()) existing = nullptr;  // a guessed file: the image may hold a directory there
  if (!placement_.prepares_destination) {
    img.mkdir_p(dst, &step.plan.entries);
  } else if (!existing) {
    Node d;
    d.type = FileType::kDirectory;
    d.origin = s.path;
    img.put(dst, std::move(d));
    step.plan.entries.push_back(CopyEntry{s.path.empty() ? "." : s.path, dst, EntryType::kDir, 0, ""});
    ++item.dirs;
  }
  std::unique_ptr<Matcher> ex = placement_.honours_exclude ? exclude_matcher(c.excludes) : nullptr;
  put_children(*s.node, s.path, dst, img, step, item, ex.get(), "");
  if (s.flattened) {
    flattened_note(s, dst, item, step);
  } else if (!s.path.empty() && base_name(dst) != base_name(s.path) && !contains_wildcards(s.word)) {
    step.warn("dir-contents", s.path + "/ is a directory: its contents are copied into " + dst +
                                  ", the directory itself is not (write " +
                                  abs_join(dst, std::string(base_name(s.path))) + "/ to keep its name)");
  }
}

void Placer::flattened_note(const Source& s, const std::string& dst, const CopyItem& item, CopyStep& step) {
  std::string example;
  for (const auto& [name, kid] : s.node->kids) {
    if (kid.visible) {
      example = " (" + rel_join(s.path, name) + " -> " + abs_join(dst, name) + ")";
      break;
    }
  }
  const bool empty = item.files + item.symlinks + item.dirs == 0;
  const std::string kept = abs_join(dst, std::string(base_name(s.path)));
  step.warn("flattened-dir", s.word + " matched directory " + s.path + "/: " +
                                 (empty ? std::string("it is empty, so nothing is created for it")
                                        : "its contents land in " + dst + example + ", not " + kept +
                                              "/; to keep the name: COPY " + s.path + " " + kept + "/"));
}

// A file: a heredoc, a download, or a context file (a symlink source is
// followed: the copy has the link's name and the target's content).
void Placer::place_file(const Source& s, const std::string& dest, const std::string& dst, Node* existing,
                        ImageTree& img, CopyStep& step, CopyItem& item, bool assume_dir) {
  const bool into = dir_form(dest) || (existing && existing->is_dir()) || assume_dir;
  const std::string target = into ? abs_join(dst, s.name) : dst;
  const bool guess = !into && !existing && img.unknown();
  if (placement_.warns_dest_may_exist && guess) {
    step.warn("dest-may-exist", "if the base image has a directory " + dst + ", the file lands at " +
                                    abs_join(dst, s.name) + " instead (add a trailing / to make it certain)");
  }
  if (!placement_.prepares_destination) img.mkdir_p(parent_or_root(target), &step.plan.entries);
  if (assume_dir && !placement_.prepares_destination) img.mkdir_p(dst, &step.plan.entries);
  item.dest = target;
  item.type = EntryType::kFile;
  Node f;
  if (s.heredoc) {
    f.type = FileType::kRegular;
    f.size = s.doc->content.size();
  } else if (s.remote) {
    f.type = FileType::kRegular;
  } else {
    f = *s.node;
    f.kids.clear();
    if (f.type == FileType::kSymlink) f.type = FileType::kRegular;
  }
  f.uncertain = guess;
  put_node(f, s.heredoc || s.remote ? s.word : s.path, target, img, step, item, false);
}

// Copies one node (recursively for a directory) to `target`. `ex`, when
// given, is COPY --exclude, matched against `ex_rel`, the node's path
// relative to the copy's root.
void Placer::put_node(const Node& n, const std::string& src_rel, const std::string& target, ImageTree& img,
                      CopyStep& step, CopyItem& item, bool recurse, const Matcher* ex, const std::string& ex_rel) {
  Node* existing = img.find(target);
  if (n.is_dir()) {
    if (existing && !existing->is_dir()) {
      if (!placement_.replaces_on_conflict && !existing->uncertain) {
        throw Error("cannot copy to non-directory: " + target);
      }
      existing = nullptr;
    }
    if (!existing) {
      Node d;
      d.type = FileType::kDirectory;
      d.origin = n.origin.empty() ? src_rel : n.origin;
      img.put(target, std::move(d));
      step.plan.entries.push_back(CopyEntry{src_rel.empty() ? "." : src_rel, target, EntryType::kDir, 0, ""});
      ++item.dirs;
    }
    if (recurse) put_children(n, src_rel, target, img, step, item, ex, ex_rel);
    return;
  }
  if (existing && existing->is_dir() && !placement_.replaces_on_conflict) {
    throw Error("cannot replace to directory " + target + " with file");
  }
  Node f;
  const EntryType t = entry_type(n.type);
  f.type = t == EntryType::kFile ? FileType::kRegular : n.type;
  f.size = n.size;
  f.link = n.link;
  f.uncertain = n.uncertain;
  f.origin = n.origin.empty() ? src_rel : n.origin;  // a stage's file keeps its context origin
  img.put(target, std::move(f));
  step.plan.entries.push_back(CopyEntry{src_rel, target, t, t == EntryType::kFile ? n.size : 0, n.link});
  if (t == EntryType::kSymlink) {
    ++item.symlinks;
  } else {
    ++item.files;
    item.bytes += n.size;
  }
}

void Placer::put_children(const Node& dir, const std::string& src_rel, const std::string& target, ImageTree& img,
                          CopyStep& step, CopyItem& item, const Matcher* ex, const std::string& ex_rel) {
  for (const auto& [name, kid] : dir.kids) {
    if (!kid.visible) continue;
    const std::string kr = rel_join(ex_rel, name);
    if (ex && ex->matches_or_parents(kr).excluded) {
      if (kid.is_dir() && ex->has_exceptions()) {
        copy_excluded_dir(kid, rel_join(src_rel, name), abs_join(target, name), img, step, item, ex, kr);
      }
      continue;
    }
    put_node(kid, rel_join(src_rel, name), abs_join(target, name), img, step, item, true, ex, kr);
  }
}

// An excluded directory an exception may reach into: created only if
// something below is kept.
void Placer::copy_excluded_dir(const Node& dir, const std::string& src_rel, const std::string& target,
                               ImageTree& img, CopyStep& step, CopyItem& item, const Matcher* ex,
                               const std::string& ex_rel) {
  for (const auto& [name, kid] : dir.kids) {
    if (!kid.visible) continue;
    const std::string kr = rel_join(ex_rel, name);
    if (ex->matches_or_parents(kr).excluded) {
      if (kid.is_dir()) {
        copy_excluded_dir(kid, rel_join(src_rel, name), abs_join(target, name), img, step, item, ex, kr);
      }
      continue;
    }
    img.mkdir_p(target, &step.plan.entries);
    put_node(kid, rel_join(src_rel, name), abs_join(target, name), img, step, item, true, ex, kr);
  }
}

void Placer::place_parents(const CopyCommand& c, const std::string& dest_in, ImageTree& img, CopyStep& step) {
  const std::string dest = dest_in.back() == '/' ? dest_in : dest_in + "/";
  img.mkdir_p(clean_path(dest), &step.plan.entries);
  const Node& root = step.context.root;
  for (const auto& word : c.sources) {
    std::string base = "/", pattern = clean_path("/" + word);
    const std::string raw = "/" + word;
    if (size_t pivot = raw.find("/./"); pivot != std::string::npos) {
      base = clean_path(raw.substr(0, pivot + 1));
      pattern = clean_path("/" + raw.substr(pivot + 3));
    }
    while (pattern.starts_with("/")) pattern.erase(0, 1);
    if (pattern.empty()) pattern = ".";
    if (!contains_wildcards(base) && !contains_wildcards(pattern)) {
      const Node* n = nullptr;
      resolve(root, clean_path(base + "/" + pattern), true, visible_nodes, &n);
      if (!n || pattern == ".") {
        throw Error("failed to compute cache key: failed to calculate checksum of ref: \"" +
                    clean_path(base + "/" + pattern) + "\": not found");
      }
    }
    const Matcher include(std::vector<Rule>{Rule{pattern, "--parents", 0, pattern}});
    std::vector<std::string> roots;
    if (contains_wildcards(base)) {
      for_each_below(root, visible_nodes, [&](const Node&, const std::string& r) {
        if (go_filepath_match(base.substr(1), r) != 1) return true;
        roots.push_back(r);
        return false;
      });
    } else {
      roots.push_back(base == "/" ? "" : base.substr(1));
    }
    for (const auto& r : roots) {
      const Node* n = nullptr;
      std::vector<std::string> parts = resolve(root, r, true, visible_nodes, &n);
      if (!n || !n->is_dir()) continue;
      CopyItem item;
      item.source = word;
      item.path = r.empty() ? "." : r;
      item.dest = dest;
      item.type = EntryType::kDir;
      item.first_entry = step.plan.entries.size();
      const std::string src = join_parts(parts, false) == "." ? "" : join_parts(parts, false);
      copy_filtered(*n, src, clean_path(dest), include, c.excludes, img, step, item);
      finish_item(item, step);
    }
  }
}

// A directory copy keeping only what `include` (relative to the copy's
// root) matches, and dropping what `excludes` match; directories are
// created only when something inside them is kept.
void Placer::copy_filtered(const Node& dir, const std::string& src_rel, const std::string& dest,
                           const Matcher& include, const std::vector<std::string>& excludes, ImageTree& img,
                           CopyStep& step, CopyItem& item) {
  std::unique_ptr<Matcher> ex = exclude_matcher(excludes);
  for_each_below(dir, visible_nodes, [&](const Node& kid, const std::string& kr) {
    if (ex && ex->matches_or_parents(kr).excluded) return kid.is_dir() && ex->has_exceptions();
    if (!include.matches_or_parents(kr).excluded) return true;
    const std::string target = clean_path(dest + "/" + kr);
    img.mkdir_p(parent_or_root(target), &step.plan.entries);
    put_node(kid, rel_join(src_rel, kr), target, img, step, item, true, ex.get(), kr);
    return false;
  });
}

bool Placer::is_archive(const Source& s, const ContextView& view, std::vector<ArchiveEntry>* out) {
  if (s.node->size == 0) return false;
  if (!placement_.extracts_through_symlinks) {
    const Node* raw = view.raw(s.path);
    if (!raw || raw->type != FileType::kRegular) return false;
  }
  return read_archive(fs_, path_components(s.path), out);
}

void Placer::symlink_note(const Source& s, CopyStep& step) {
  if (!s.in_context || s.raw.empty() || s.raw == s.path) return;
  const Node* raw = step.context.raw(s.raw);
  if (!raw || raw->type != FileType::kSymlink) return;
  step.warn("symlink-followed", s.raw + " is a symlink: every builder copies its target " +
                                    (s.path.empty() ? std::string(".") : s.path) + " under the name " +
                                    (s.name.empty() ? std::string(".") : s.name));
}

void Placer::finish_item(CopyItem& item, CopyStep& step) {
  item.entry_count = step.plan.entries.size() - item.first_entry;
  step.plan.items.push_back(item);
}

}  // namespace ctxpack::copy
