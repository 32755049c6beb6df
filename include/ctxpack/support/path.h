// Slash-separated path helpers with Go's semantics, since Docker cleans
// patterns and paths with Go's path/filepath.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ctxpack {

// Go's filepath.Clean on Unix: the shortest equivalent path, "." for "".
std::string clean_path(std::string_view path);

// Whether clean_path(path) == path, without building it.
bool is_clean_path(std::string_view path);

// Go's filepath.Dir on Unix: the path without its last element, cleaned
// ("." when nothing is left).
std::string go_dir(std::string_view path);

// The parent of a clean relative path ("" for a top-level name).
std::string_view parent_path(std::string_view path);

// The last component of a path.
std::string_view base_name(std::string_view path);

// Whether slash-separated `path` is `dir` or lies below it; every path is
// below "" (the root).
bool is_at_or_below(std::string_view path, std::string_view dir);

// The '/'-separated components of a path, empty ones dropped.
std::vector<std::string> path_components(std::string_view path);

// "a" + "b" -> "a/b"; "a/" + "b" -> "a/b"; "" + "b" -> "b".
std::string join_path(std::string_view dir, std::string_view name);

}  // namespace ctxpack
