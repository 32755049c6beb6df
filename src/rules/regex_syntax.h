// The parsed form of a Go regular expression, shared by the parser
// (regex_parse.cpp) and the compiler and matcher (regex.cpp). Private to
// the rules module.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ctxpack::regex_syntax {

constexpr char32_t kMaxRune = 0x10FFFF;

// A set of runes as sorted, non-overlapping ranges, with an ASCII bitmap so
// the common case is one lookup.
struct RuneSet {
  std::vector<std::pair<char32_t, char32_t>> ranges;
  std::array<uint64_t, 2> ascii{};

  void add(char32_t lo, char32_t hi) { ranges.emplace_back(lo, hi); }
  void add(const RuneSet& other) { ranges.insert(ranges.end(), other.ranges.begin(), other.ranges.end()); }
  void normalize() {
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<char32_t, char32_t>> merged;
    for (auto r : ranges) {
      if (!merged.empty() && r.first <= merged.back().second + 1) {
        merged.back().second = std::max(merged.back().second, r.second);
      } else {
        merged.push_back(r);
      }
    }
    ranges = std::move(merged);
    ascii = {};
    for (auto [lo, hi] : ranges) {
      for (char32_t c = lo; c <= hi && c < 128; ++c) ascii[c >> 6] |= uint64_t{1} << (c & 63);
    }
  }
  void negate() {
    normalize();
    std::vector<std::pair<char32_t, char32_t>> out;
    char32_t next = 0;
    for (auto [lo, hi] : ranges) {
      if (lo > next) out.emplace_back(next, lo - 1);
      next = hi + 1;
    }
    if (next <= kMaxRune) out.emplace_back(next, kMaxRune);
    ranges = std::move(out);
    normalize();
  }
  bool contains(char32_t c) const {
    if (c < 128) return (ascii[c >> 6] >> (c & 63)) & 1;
    auto it = std::upper_bound(ranges.begin(), ranges.end(), std::pair<char32_t, char32_t>(c, kMaxRune + 1));
    return it != ranges.begin() && std::prev(it)->second >= c;
  }
};

inline bool is_word(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}


enum class NodeKind : uint8_t {
  kEmpty,
  kLiteral,
  kClass,
  kAnyNotNL,
  kBegin,
  kEnd,
  kWordBoundary,
  kNoWordBoundary,
  kCapture,
  kStar,
  kPlus,
  kQuest,
  kRepeat,
  kConcat,
  kAlternate,
  kLeftParen,
  kVerticalBar,  // markers on the parse stack only
};

struct Node {
  NodeKind kind;
  char32_t rune = 0;     // kLiteral
  int set = -1;          // kClass
  int min = 0, max = 0;  // kRepeat; max -1 for no limit
  std::vector<int> subs;
};

// Parses `expr` as Go's regexp/syntax does with the flags regexp.Compile
// uses: the nodes go to `nodes` and the rune sets their kClass nodes index
// to `sets`; returns the root, or -1 with *error set as Go words it.
int parse(std::string_view expr, std::vector<Node>& nodes, std::vector<RuneSet>& sets, std::string* error);

}  // namespace ctxpack::regex_syntax
