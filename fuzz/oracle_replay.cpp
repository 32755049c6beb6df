// The exact differential half of the ignore-file fuzzing: the fuzz target can
// only compare literal patterns with a reference, so fuzz/differential.py
// replays its whole corpus (wildcards, classes, escapes, Docker's raw `|`,
// `{`, `}`) through Docker's own code, the conformance oracle in
// tests/conformance/oracle, and through ctxpack, with this program.
//
//   oracle_replay --request FILE...   prints the oracle's input for these
//                                     corpus files, one case each in order:
//                                     the file as an ignore file, then the
//                                     paths fuzz/paths.h derives
//   oracle_replay                     answers such input on stdin the way
//                                     the oracle does, with ctxpack
//
// The protocol is the oracle's (see its main.go); error messages are not
// compared, so ctxpack answers "err -".
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/support/error.h"
#include "ctxpack/rules/ignore_file.h"
#include "ctxpack/rules/matcher.h"
#include "ctxpack/support/path.h"
#include "paths.h"

namespace {

using ctxpack::Matcher;
using ctxpack::Verdict;

std::string hex(std::string_view s) {
  if (s.empty()) return "-";
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string unhex(std::string_view s) {
  std::string out;
  if (s == "-") return out;
  for (size_t i = 0; i + 1 < s.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16));
  return out;
}

int request(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ctxpack::IgnoreFile file;
    try {
      file = ctxpack::parse_ignore_file(data, ".dockerignore");
    } catch (const ctxpack::Error&) {
      // Still a case: the reader's refusal is compared too.
    }
    std::cout << "F " << hex(data) << "\n";
    for (const std::string& path : fuzz::derive_paths(data, file.rules)) std::cout << "T " << hex(path) << "\n";
    std::cout << "E\n";
  }
  return 0;
}

template <typename F>
const char* judge(F&& f) {
  try {
    return f().excluded ? "match" : "nomatch";
  } catch (const ctxpack::Error&) {
    return "error";
  }
}

// Paths a walk cannot produce get "-", as in the oracle.
bool walkable(const std::string& path) {
  if (path.empty() || path == "." || path[0] == '/' || path != ctxpack::clean_path(path)) return false;
  for (std::string_view part : fuzz::split(path).parts)
    if (part == "..") return false;
  return true;
}

Verdict walk(const Matcher& m, std::string_view path) {
  fuzz::Components c = fuzz::split(path);
  Matcher::Trail trail[2];
  Verdict v;
  for (size_t k = 1; k <= c.parts.size(); ++k)
    v = m.matches_with_parent(c.prefix(k), k == 1 ? nullptr : &trail[k % 2], &trail[(k + 1) % 2]);
  return v;
}

int answer() {
  std::optional<Matcher> m;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream fields(line);
    std::string kind, arg;
    fields >> kind >> arg;
    if (kind == "F") {
      m.reset();
      ctxpack::IgnoreFile file;
      try {
        file = ctxpack::parse_ignore_file(unhex(arg), ".dockerignore");
      } catch (const ctxpack::Error&) {
        std::cout << "R err -\n";
        continue;
      }
      std::cout << "R ok";
      for (const ctxpack::Rule& r : file.rules) std::cout << " " << hex(r.pattern);
      std::cout << "\n";
      try {
        m.emplace(file.rules);
        std::cout << "N ok\n";
      } catch (const ctxpack::Error&) {
        std::cout << "N err -\n";
      }
    } else if (kind == "T" && m) {
      const std::string path = unhex(arg);
      std::cout << "V " << judge([&] { return m->matches_or_parents(path); }) << " "
                << (walkable(path) ? judge([&] { return walk(*m, path); }) : "-") << " "
                << judge([&] { return m->matches_one_parent(path); }) << "\n";
    } else if (kind == "E") {
      std::cout << "E\n";
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "--request") return request(argc, argv);
  return answer();
}
