#include "ctxpack/output/diff.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace ctxpack {

namespace {

// Lines with their endings, so that \r\n files diff as they are.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    size_t n = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(0, n));
    text.remove_prefix(n);
  }
  return lines;
}

enum class Op { kKeep, kDel, kAdd };

// The edit script by longest common subsequence; quadratic, hence the cap.
std::vector<Op> script(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<Op> ops;
  if (n * m > 16'000'000) {
    ops.assign(n, Op::kDel);
    ops.insert(ops.end(), m, Op::kAdd);
    return ops;
  }
  std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;) at(i, j) = a[i] == b[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      ops.push_back(Op::kKeep);
      ++i, ++j;
    } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
      ops.push_back(Op::kDel);  // deletions first, as diff -u shows them
      ++i;
    } else {
      ops.push_back(Op::kAdd);
      ++j;
    }
  }
  return ops;
}

void emit(std::string& out, char mark, std::string_view line) {
  out += mark;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

std::string range(size_t start, size_t count) {
  // diff -u numbers an empty range by the line before it.
  if (count == 0) return std::to_string(start) + ",0";
  return count == 1 ? std::to_string(start + 1) : std::to_string(start + 1) + "," + std::to_string(count);
}

}  // namespace

std::string unified_diff(const std::string& name, std::string_view before, std::string_view after, bool before_exists) {
  if (before == after && before_exists) return "";
  const auto a = lines_of(before), b = lines_of(after);
  const std::vector<Op> ops = script(a, b);
  constexpr size_t kContext = 3;
  std::string out = (before_exists ? "--- a/" + name : std::string("--- /dev/null")) + "\n+++ b/" + name + "\n";
  size_t k = 0;
  while (k < ops.size()) {
    // The next change, with the context around it; changes closer than
    // twice the context share a hunk.
    size_t first = k;
    while (first < ops.size() && ops[first] == Op::kKeep) ++first;
    if (first == ops.size()) break;
    size_t last = first;
    for (size_t x = first; x < ops.size() && x - last <= 2 * kContext; ++x) {
      if (ops[x] != Op::kKeep) last = x;
    }
    const size_t start = first >= k + kContext ? first - kContext : k;
    const size_t end = std::min(ops.size(), last + 1 + kContext);
    size_t ai = 0, bi = 0;
    for (size_t x = 0; x < start; ++x) {
      ai += ops[x] != Op::kAdd;
      bi += ops[x] != Op::kDel;
    }
    size_t an = 0, bn = 0;
    for (size_t x = start; x < end; ++x) {
      an += ops[x] != Op::kAdd;
      bn += ops[x] != Op::kDel;
    }
    out += "@@ -" + range(ai, an) + " +" + range(bi, bn) + " @@\n";
    for (size_t x = start; x < end; ++x) {
      if (ops[x] == Op::kKeep) {
        emit(out, ' ', a[ai++]);
        ++bi;
      } else if (ops[x] == Op::kDel) {
        emit(out, '-', a[ai++]);
      } else {
        emit(out, '+', b[bi++]);
      }
    }
    k = end;
  }
  return out;
}

}  // namespace ctxpack
