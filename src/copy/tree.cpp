#include "ctxpack/copy/tree.h"

#include <algorithm>

#include "ctxpack/support/error.h"
#include "ctxpack/support/path.h"

namespace ctxpack {

std::string join_parts(const std::vector<std::string>& parts, bool absolute) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty() || absolute) out += '/';
    out += p;
  }
  if (out.empty()) return absolute ? "/" : ".";
  return out;
}

std::string rel_join(const std::string& dir, const std::string& name) {
  return dir.empty() || dir == "." ? name : dir + "/" + name;
}

std::string abs_join(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

bool contains_wildcards(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '*' || s[i] == '?' || s[i] == '[') {
      return true;
    }
  }
  return false;
}

EntryType entry_type(FileType t) {
  switch (t) {
    case FileType::kDirectory: return EntryType::kDir;
    case FileType::kSymlink: return EntryType::kSymlink;
    case FileType::kFifo: return EntryType::kFifo;
    case FileType::kCharDevice: return EntryType::kCharDevice;
    case FileType::kBlockDevice: return EntryType::kBlockDevice;
    default: return EntryType::kFile;
  }
}

bool all_nodes(const Node&) { return true; }
bool visible_nodes(const Node& n) { return n.visible; }

namespace {
const Node* child(const Node& dir, const std::string& name, NodeFilter filter) {
  if (!dir.is_dir()) return nullptr;
  auto it = dir.kids.find(name);
  if (it == dir.kids.end() || !filter(it->second)) return nullptr;
  return &it->second;
}
}  // namespace

const Node* lookup(const Node& root, const std::vector<std::string>& parts, NodeFilter filter) {
  const Node* n = &root;
  for (const auto& p : parts) {
    n = child(*n, p, filter);
    if (!n) return nullptr;
  }
  return n;
}

std::vector<std::string> resolve(const Node& root, std::string_view path, bool follow_final, NodeFilter filter,
                                 const Node** out) {
  std::vector<std::string> todo = path_components(path);
  std::reverse(todo.begin(), todo.end());
  std::vector<std::string> cur;
  int hops = 0;
  while (!todo.empty()) {
    std::string c = std::move(todo.back());
    todo.pop_back();
    if (c == ".") continue;
    if (c == "..") {
      if (!cur.empty()) cur.pop_back();
      continue;
    }
    cur.push_back(c);
    const Node* n = lookup(root, cur, filter);
    if (n && n->type == FileType::kSymlink && (!todo.empty() || follow_final)) {
      if (++hops > 255) throw Error("too many levels of symbolic links: " + std::string(path));
      cur.pop_back();
      if (!n->link.empty() && n->link[0] == '/') cur.clear();
      std::vector<std::string> target = path_components(n->link);
      for (auto it = target.rbegin(); it != target.rend(); ++it) todo.push_back(*it);
    }
  }
  *out = lookup(root, cur, filter);
  return cur;
}

void for_each_below(const Node& dir, NodeFilter filter,
                    const std::function<bool(const Node&, const std::string&)>& fn) {
  std::function<void(const Node&, const std::string&)> walk = [&](const Node& d, const std::string& rel) {
    for (const auto& [name, kid] : d.kids) {
      if (!filter(kid)) continue;
      std::string r = rel_join(rel, name);
      if (fn(kid, r) && kid.is_dir()) walk(kid, r);
    }
  };
  walk(dir, "");
}

void ImageTree::mkdir_p(const std::string& abs, std::vector<CopyEntry>* created) {
  const Node* unused;
  std::vector<std::string> parts = resolve(root, abs, true, all_nodes, &unused);
  Node* n = &root;
  std::vector<std::string> so_far;
  for (const auto& p : parts) {
    so_far.push_back(p);
    auto it = n->kids.find(p);
    if (it == n->kids.end()) {
      Node d;
      d.type = FileType::kDirectory;
      it = n->kids.emplace(p, std::move(d)).first;
      if (created) created->push_back(CopyEntry{"", join_parts(so_far, true), EntryType::kDir, 0, ""});
    } else if (!it->second.is_dir() && it->second.uncertain) {
      it->second = Node{};
    } else if (!it->second.is_dir()) {
      throw Error("mkdir " + join_parts(so_far, true) + ": not a directory");
    }
    n = &it->second;
  }
}

Node* ImageTree::find(const std::string& abs) {
  Node* n = &root;
  for (const auto& p : path_components(abs)) {
    if (!n->is_dir()) return nullptr;
    auto it = n->kids.find(p);
    if (it == n->kids.end()) return nullptr;
    n = &it->second;
  }
  return n;
}

std::string ImageTree::resolved(const std::string& abs, bool follow_final) const {
  const Node* unused;
  return join_parts(resolve(root, abs, follow_final, all_nodes, &unused), true);
}

void ImageTree::put(const std::string& abs, Node node) {
  std::string dir(parent_path(abs).empty() ? "/" : parent_path(abs));
  Node* parent = find(dir);
  if (!parent || !parent->is_dir()) throw Error("mkdir " + dir + ": not a directory");
  parent->kids[std::string(base_name(abs))] = std::move(node);
}

}  // namespace ctxpack
