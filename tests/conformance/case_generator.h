// Deterministic generator of matcher test cases for the differential test:
// ignore files full of the lines Docker treats specially (comments, BOMs,
// odd spaces, '!' forms, paths to clean, every wildcard, class and escape,
// malformed patterns) and paths built to hit them (unicode, dots, invalid
// UTF-8, paths that are not clean).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ctxpack::conformance {

struct Case {
  // An ignore file (read with ReadAll) or, when `raw`, patterns handed to
  // the matcher as they are (Docker's patternmatcher.New).
  bool raw = false;
  std::string content;
  std::vector<std::string> patterns;
  std::vector<std::string> paths;
};

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
  bool percent(unsigned p) { return below(100) < p; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }

 private:
  uint64_t state_;
};

// Case `index` of the sequence for `seed`; the same arguments always give
// the same case.
Case generate_case(uint64_t seed, size_t index);

}  // namespace ctxpack::conformance
