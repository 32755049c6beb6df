#include "ctxpack/support/path.h"

#include <vector>

namespace ctxpack {

std::string clean_path(std::string_view path) {
  if (path.empty()) return ".";
  bool rooted = path[0] == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);  // a relative path may climb above its start
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k) out += '/';
    out += parts[k];
  }
  return out.empty() ? "." : out;
}

bool is_clean_path(std::string_view path) {
  if (path.empty()) return false;
  if (path == "/" || path == ".") return true;
  bool rooted = path[0] == '/';
  if (rooted) path.remove_prefix(1);
  bool climbing = !rooted;  // ".." may only lead a relative path
  size_t i = 0;
  while (true) {
    size_t j = path.find('/', i);
    std::string_view part = path.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    if (part.empty() || part == ".") return false;
    if (part == "..") {
      if (!climbing) return false;
    } else {
      climbing = false;
    }
    if (j == std::string_view::npos) return true;
    i = j + 1;
  }
}

std::vector<std::string> path_components(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool is_at_or_below(std::string_view path, std::string_view dir) {
  if (dir.empty()) return true;
  return path.starts_with(dir) && (path.size() == dir.size() || path[dir.size()] == '/');
}

std::string go_dir(std::string_view path) {
  size_t slash = path.rfind('/');
  return clean_path(slash == std::string_view::npos ? std::string_view() : path.substr(0, slash + 1));
}

std::string_view parent_path(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string join_path(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty() && !out.ends_with('/')) out += '/';
  out += name;
  return out;
}

}  // namespace ctxpack
