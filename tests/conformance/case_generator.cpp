#include "case_generator.h"

#include <string_view>

namespace ctxpack::conformance {

uint64_t Rng::next() {
  // splitmix64: tiny, and the same sequence on every platform (unlike the
  // standard distributions).
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

namespace {

using Strings = std::vector<std::string>;

// Names that are literal in a pattern, including the characters Docker
// escapes before handing the pattern to RE2 and '^', which it does not.
const Strings kLiterals = {"a",
                           "b",
                           "c",
                           "ab",
                           "foo",
                           "bar",
                           "x.txt",
                           "a.log",
                           "b.md",
                           ".git",
                           ".env",
                           ".hidden",
                           "node_modules",
                           "docs",
                           "README.md",
                           "Dockerfile",
                           "日本",
                           "é",
                           "α",
                           "☺",
                           "Ωmega",
                           "a b",
                           "#x",
                           "-",
                           "_",
                           "~",
                           "a+b",
                           "(x)",
                           "{y}",
                           "$z",
                           "x|y",
                           "a^b",
                           "^a",
                           "=",
                           "a,b",
                           ":",
                           "@",
                           "..a",
                           "...",
                           "!x",
                           "\xEF\xBB\xBF"
                           "b"};

// Wildcards, classes and escapes, common ones first.
const Strings kCommonGlobs = {"*", "?", "**", "[abc]", "[a-c]", "[^a]", "\\*", "*.log", "*.md", ".*"};
const Strings kExoticGlobs = {
    "***", "[^/]", "[!x]", "[[:alpha:]]", "[[:digit:]]", "[[:^space:]]", "[[:foo:]]", "[*]", "[?]", "[z-a]", "[]a]",
    "[\\]]", "[\\-]", "[a-]", "[-a]", "[^]a]", "[α-ω]", "[.]", "[\\d]", "[\\w-]", "[", "]", "[a", "\\?", "\\[", "\\]",
    "\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\b", "\\B", "\\A", "\\z", "\\Q", "\\E", "\\Qa*b", "\\y", "\\x41",
    "\\x{263a}", "\\x{110000}", "\\101", "\\0", "\\8", "\\.", "\\#", "\\!", "\\\\", "^", "$", "\\a", "\\f", "\\n",
    "\\t", "\\C", "\\u0041", "\\x4", "\\x{}", "[[:alpha:]", "[\\b]", "[\\Q]", "[\\x41-\\x5a]", "[^\\x00-\\x{10FFFF}]",
    "[a-b-c]", "[x-]", "[-]", "[^", "a\\", "[a-ζ]", "[\\n]", "\\", "*\\", "[^a-z]", "[[]", "[]]", "[[:word:]-]", "\\_",
    "\\-", "\\\xff", "\xff", "\\é",
    // Docker's escape table misses these three, so they reach RE2 live.
    "|", "a|b", "*|", "|*", "{2}", "{1,3}", "{,2}", "{2,}", "{1000}", "{1001}", "{0}", "{", "}", "x{", "{01}",
    "\\Q\\E{2}", "?{2}", "]{2}", "^{2}", "|{2}", "{2}{3}", "[ab]{2}", "\\d{1,2}"};

// Names for paths only: what patterns cannot spell but files can be called.
const Strings kPathOnlyNames = {"a\\b", "a\nb", "\xff",         "x\r", " lead", "trail ", "a\tb", "\xE2\x82", "%",
                                "1",    "A",    "\xEF\xBF\xBD", "b$",  "ab$",   "[]",     "^",    "a/b$",     "x\x01"};

const Strings kSpaces = {" ", "\t", "  ", "\xC2\xA0", "\xE3\x80\x80", "\xC2\x85", "\xE2\x80\xA8", "\v", "\f"};

std::string segment(Rng& rng) {
  std::string s;
  size_t atoms = 1 + rng.below(3);
  for (size_t i = 0; i < atoms; ++i) {
    unsigned r = static_cast<unsigned>(rng.below(100));
    if (r < 55) {
      s += rng.pick(kLiterals);
    } else if (r < 88) {
      s += rng.pick(kCommonGlobs);
    } else {
      s += rng.pick(kExoticGlobs);
    }
  }
  return s;
}

std::string pattern_body(Rng& rng) {
  std::string p = segment(rng);
  size_t more = rng.below(4);
  for (size_t i = 0; i < more; ++i) p += "/" + segment(rng);
  return p;
}

// Surroundings the reader (or New) has to clean up.
std::string decorate(Rng& rng, std::string p) {
  if (rng.percent(8)) p = "/" + p;
  if (rng.percent(3)) p = "./" + p;
  if (rng.percent(2)) p = "../" + p;
  if (rng.percent(2)) p = "//" + p;
  if (rng.percent(2)) p.insert(p.find('/') == std::string::npos ? p.size() : p.find('/'), "/./");
  if (rng.percent(8)) p += "/";
  if (rng.percent(2)) p += "/.";
  if (rng.percent(2)) p += "/..";
  unsigned bang = static_cast<unsigned>(rng.below(100));
  if (bang < 18) {
    p = "!" + p;
  } else if (bang < 22) {
    p = "! " + p;
  } else if (bang < 24) {
    p = "!" + rng.pick(kSpaces) + p;
  }
  if (rng.percent(5)) p = rng.pick(kSpaces) + p;
  if (rng.percent(5)) p += rng.pick(kSpaces);
  if (rng.percent(1)) p += "\\ ";
  unsigned special = static_cast<unsigned>(rng.below(200));
  if (special < 3) return "!";
  if (special < 5) return "!/";
  if (special < 6) return ".";
  if (special < 7) return "/";
  if (special < 8) return "!!x";
  if (special < 9) return "!" + rng.pick(kSpaces);
  if (special < 14) return "#" + p;
  if (special < 17) return " #" + p;
  if (special < 20) return p + " # note";
  if (special < 21) return p + std::string(1, '\0');
  if (special < 22) return "\xEF\xBB\xBF" + p;
  return p;
}

// A path meant to hit `pattern`: wildcards filled in, sometimes with
// something they must not match.
std::string instantiate(Rng& rng, std::string_view p) {
  static const Strings star = {"", "x", "ab", ".h", "a.b", "é", "*", "a/b"};
  static const Strings dstar = {"", "d/", "d/e/", "x/y/z/"};
  static const Strings question = {"a", "é", ".", "/", "-", "☺", "\xff"};
  std::string out;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '*' && i + 1 < p.size() && p[i + 1] == '*') {
      ++i;
      if (i + 1 < p.size() && p[i + 1] == '/') {
        ++i;
        out += rng.pick(dstar);
      } else {
        std::string d = rng.pick(dstar);
        out += d.empty() ? d : d.substr(0, d.size() - 1);
      }
    } else if (c == '*') {
      out += rng.pick(star);
    } else if (c == '?') {
      out += rng.pick(question);
    } else if (c == '[') {
      size_t close = p.find(']', i + 1);
      if (close == std::string_view::npos) {
        out += c;
        continue;
      }
      std::string_view inside = p.substr(i + 1, close - i - 1);
      std::string chosen = "q";
      for (size_t k = 0; k < inside.size(); ++k) {
        char d = inside[k];
        if (d != '^' && d != '!' && d != '-' && d != '\\' && d != '[' && d != ':' && rng.percent(50)) {
          chosen = std::string(1, d);
          break;
        }
      }
      out += rng.percent(85) ? chosen : std::string("/");
      i = close;
    } else if (c == '\\' && i + 1 < p.size()) {
      char e = p[++i];
      switch (e) {
        case 'd':
          out += "7";
          break;
        case 'w':
          out += "w";
          break;
        case 's':
          out += " ";
          break;
        case 'D':
        case 'W':
        case 'S':
          out += "-";
          break;
        case 'Q':
          out += std::string(p.substr(i + 1)) + "$";
          return out;
        default:
          out += e;
      }
    } else {
      out += c;
    }
  }
  return out;
}

std::string random_path(Rng& rng) {
  std::string p;
  size_t n = 1 + rng.below(4);
  for (size_t i = 0; i < n; ++i) {
    if (i) p += '/';
    p += rng.percent(80) ? rng.pick(kLiterals) : rng.pick(kPathOnlyNames);
  }
  return p;
}

// What a walk never produces but a user may type, and Docker's functions
// accept: paths that are not clean.
std::string unclean(Rng& rng, const std::string& p) {
  switch (rng.below(9)) {
    case 0:
      return "./" + p;
    case 1:
      return "/" + p;
    case 2:
      return p + "/";
    case 3:
      return p + "//x";
    case 4:
      return "../" + p;
    case 5:
      return ".";
    case 6:
      return "";
    case 7:
      return p + "/../" + p;
    default:
      return "/";
  }
}

std::string strip_decorations(std::string_view p) {
  while (!p.empty() && (p[0] == '!' || p[0] == ' ' || p[0] == '/' || p[0] == '\t')) p.remove_prefix(1);
  while (!p.empty() && (p.back() == ' ' || p.back() == '/' || p.back() == '\t')) p.remove_suffix(1);
  return std::string(p);
}

void add_paths(Rng& rng, Case& c, const Strings& bodies, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    std::string p;
    if (!bodies.empty() && rng.percent(70)) {
      p = instantiate(rng, strip_decorations(rng.pick(bodies)));
      if (p.empty()) p = "a";
      if (rng.percent(35)) p += "/" + rng.pick(kLiterals);
      if (rng.percent(15)) p = rng.pick(kLiterals) + "/" + p;
      if (rng.percent(3)) p[rng.below(p.size())] = '\xff';
    } else {
      p = random_path(rng);
    }
    if (rng.percent(8)) p = unclean(rng, p);
    c.paths.push_back(std::move(p));
  }
}

// Few names, many rules: exceptions, parents and order interact.
// Enough rules to need several of the matcher's 64-pattern automata.
Case many_rules_case(Rng& rng) {
  Case c;
  size_t n = 60 + rng.below(150);
  Strings bodies;
  for (size_t i = 0; i < n; ++i) {
    std::string body = pattern_body(rng);
    if (rng.percent(25)) body = "**/" + body;
    bodies.push_back(body);
    c.content += (rng.percent(20) ? "!" : "") + body + "\n";
  }
  add_paths(rng, c, bodies, 12);
  return c;
}

Case dense_case(Rng& rng) {
  static const Strings rules = {"a",   "b",  "a/b",  "a/*",  "*",     "**", "**/b", "a/**", "b/**/c",
                                "*/b", "a?", "[ab]", "**/a", "a/b/c", "a*", "**b",  "b**",  "a/**/b"};
  static const Strings names = {"a",   "b",     "a/b",   "a/b/c", "b/a",  "a/c",   "ab",
                                "b/b", "a/b/b", "c/a/b", "ba",    "a/ab", "b/a/b", "c"};
  Case c;
  c.raw = rng.percent(30);
  size_t n = 2 + rng.below(7);
  Strings bodies;
  for (size_t i = 0; i < n; ++i) {
    std::string r = rng.pick(rules);
    bodies.push_back(r);
    if (rng.percent(35)) r = "!" + r;
    if (c.raw) {
      c.patterns.push_back(r);
    } else {
      c.content += r + "\n";
    }
  }
  for (size_t i = 0; i < 10; ++i) c.paths.push_back(rng.pick(names));
  return c;
}

Case mixed_case(Rng& rng) {
  Case c;
  c.raw = rng.percent(15);
  size_t n = 1 + rng.below(8);
  Strings bodies;
  std::string eol = rng.percent(10) ? "\r\n" : "\n";
  if (!c.raw && rng.percent(5)) c.content += "\xEF\xBB\xBF";
  for (size_t i = 0; i < n; ++i) {
    std::string body = pattern_body(rng);
    bodies.push_back(body);
    std::string line = decorate(rng, body);
    if (c.raw) {
      c.patterns.push_back(line);
      continue;
    }
    if (rng.percent(6)) c.content += rng.percent(50) ? eol : rng.pick(kSpaces) + eol;
    if (rng.percent(4)) c.content += "# comment" + eol;
    if (rng.percent(2)) c.content += "a\rb" + eol;
    c.content += line;
    if (i + 1 < n || rng.percent(50)) c.content += eol;
  }
  if (!c.raw && rng.percent(1)) {
    // Around bufio.Scanner's 64 KiB limit.
    size_t len = 65533 + rng.below(5);
    std::string long_line(len, 'a');
    long_line[len / 2] = '*';
    c.content += long_line + (rng.percent(50) ? eol : "");
  }
  add_paths(rng, c, bodies, 8);
  return c;
}

}  // namespace

Case generate_case(uint64_t seed, size_t index) {
  Rng rng(seed * 0x100000001B3ull + index);
  unsigned kind = static_cast<unsigned>(rng.below(100));
  if (kind < 30) return dense_case(rng);
  if (kind < 35) return many_rules_case(rng);
  return mixed_case(rng);
}

}  // namespace ctxpack::conformance
