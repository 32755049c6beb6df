// The paths the ignore-file fuzz target and the oracle replay judge for an
// input: derived from its patterns (the pattern itself, below it, above it,
// with its wildcards filled in) plus the lines after the input's first NUL
// byte, all shaped as a walk produces them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/rules/ignore_file.h"

namespace fuzz {

// A clean relative path split into components; prefix(k) joins the first k.
struct Components {
  std::vector<std::string_view> parts;
  std::string_view path;
  std::string_view prefix(size_t k) const {
    size_t end = 0;
    for (size_t i = 0; i < k; ++i) end += parts[i].size() + (i ? 1 : 0);
    return path.substr(0, end);
  }
};

inline Components split(std::string_view path) {
  Components c{{}, path};
  size_t i = 0;
  while (true) {
    size_t j = path.find('/', i);
    c.parts.push_back(path.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return c;
}

// Components joined by single slashes, none empty, "." or "..".
inline std::string walk_path(std::string_view s) {
  std::string out;
  for (std::string_view part : split(s).parts) {
    if (part.empty() || part == "." || part == "..") continue;
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

inline std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size())) s.replace(i, from.size(), to);
  return s;
}

inline std::vector<std::string> derive_paths(std::string_view data, const std::vector<ctxpack::Rule>& rules) {
  constexpr size_t kMaxPaths = 48;
  std::vector<std::string> raw;
  for (size_t i = 0; i < rules.size() && i < 8; ++i) {
    std::string p = rules[i].pattern;
    if (!p.empty() && p[0] == '!') p.erase(0, 1);
    raw.push_back(p);
    raw.push_back(p + "/x");
    raw.push_back("x/" + p);
    if (!p.empty()) raw.push_back(p.substr(0, p.size() - 1));
    size_t slash = p.rfind('/');
    if (slash != std::string::npos) raw.push_back(p.substr(0, slash));
    std::string filled = replace_all(replace_all(replace_all(p, "**", "a/b"), "*", "a"), "?", "b");
    raw.push_back(filled);
    raw.push_back(replace_all(replace_all(filled, "[", ""), "]", ""));
  }
  size_t nul = data.find('\0');
  if (nul != std::string_view::npos) {
    std::string_view rest = data.substr(nul + 1);
    while (!rest.empty() && raw.size() < kMaxPaths * 2) {
      size_t nl = rest.find('\n');
      raw.emplace_back(rest.substr(0, nl));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
  }
  std::vector<std::string> paths;
  for (const std::string& r : raw) {
    std::string p = walk_path(r);
    bool seen = false;
    for (const std::string& q : paths) seen = seen || q == p;
    if (!p.empty() && !seen && p.find('\0') == std::string::npos && paths.size() < kMaxPaths) paths.push_back(p);
  }
  return paths;
}

}  // namespace fuzz
