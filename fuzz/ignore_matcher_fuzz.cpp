// Fuzzes the .dockerignore reader and the matcher.
//
// The input is the ignore file; lines after its first NUL byte also name
// extra paths to judge. Three kinds of check, each aborting on a failure so
// libFuzzer saves the input:
//  - the reader against a reference transcription of Docker's ReadAll
//    (bufio line splitting, BOM, comments, Unicode TrimSpace, Clean);
//  - when every pattern is literal (none of * ? [ ] \), all three match
//    functions against a reference that implements Docker's algorithms
//    with plain string equality, which is what Docker's "exactMatch" does;
//  - for any patterns, properties that hold whatever the regex engine does:
//    the three functions agree on top-level paths, the walk-style matcher
//    agrees with matches_or_parents when there are no exceptions, and every
//    verdict names a rule consistent with it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/support/error.h"
#include "ctxpack/rules/ignore_file.h"
#include "ctxpack/rules/matcher.h"
#include "paths.h"

namespace {

using ctxpack::Matcher;
using ctxpack::Verdict;
using fuzz::Components;
using fuzz::derive_paths;
using fuzz::split;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "ignore_matcher_fuzz: %s\n", what.c_str());
  std::abort();
}

std::string show(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out + "\"";
}

// ---- Go's strings.TrimSpace and path/filepath.Clean, transcribed ---------

// The UTF-8 encodings of the non-ASCII runes unicode.IsSpace accepts.
constexpr std::string_view kWideSpaces[] = {
    "\xC2\x85",     "\xC2\xA0",     "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82", "\xE2\x80\x83",
    "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89", "\xE2\x80\x8A",
    "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80"};

bool ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

size_t leading_space(std::string_view s) {
  if (s.empty()) return 0;
  if (ascii_space(s[0])) return 1;
  for (std::string_view w : kWideSpaces)
    if (s.substr(0, w.size()) == w) return w.size();
  return 0;
}

size_t trailing_space(std::string_view s) {
  if (s.empty()) return 0;
  if (ascii_space(s.back())) return 1;
  for (std::string_view w : kWideSpaces)
    if (s.size() >= w.size() && s.substr(s.size() - w.size()) == w) return w.size();
  return 0;
}

std::string_view go_trim_space(std::string_view s) {
  while (size_t n = leading_space(s)) s.remove_prefix(n);
  while (size_t n = trailing_space(s)) s.remove_suffix(n);
  return s;
}

std::string go_clean(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  const size_t n = path.size();
  std::string out;
  size_t r = 0, dotdot = 0;
  if (rooted) {
    out += '/';
    r = dotdot = 1;
  }
  while (r < n) {
    if (path[r] == '/') {
      ++r;
    } else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
      ++r;
    } else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
      r += 2;
      if (out.size() > dotdot) {
        // Back up to and including the previous '/', not past dotdot.
        do {
          char last = out.back();
          out.pop_back();
          if (last == '/') break;
        } while (out.size() > dotdot);
      } else if (!rooted) {
        if (!out.empty()) out += '/';
        out += "..";
        dotdot = out.size();
      }
    } else {
      if ((rooted && out.size() != 1) || (!rooted && !out.empty())) out += '/';
      for (; r < n && path[r] != '/'; ++r) out += path[r];
    }
  }
  return out.empty() ? "." : out;
}

// ---- Docker's ignorefile.ReadAll -------------------------------------------

// std::nullopt when bufio.Scanner fails with "token too long".
std::optional<std::vector<std::string>> reference_read_all(std::string_view data) {
  constexpr size_t kMaxToken = 64 * 1024;
  std::vector<std::string> out;
  size_t pos = 0;
  bool first = true;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    // The scanner's buffer must hold the line and its newline.
    size_t held = (nl == std::string_view::npos ? data.size() : nl + 1) - pos;
    if (held > kMaxToken || (nl == std::string_view::npos && held == kMaxToken)) return std::nullopt;
    std::string_view line = data.substr(pos, (nl == std::string_view::npos ? data.size() : nl) - pos);
    pos = nl == std::string_view::npos ? data.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    first = false;
    if (!line.empty() && line[0] == '#') continue;
    std::string_view p = go_trim_space(line);
    if (p.empty()) continue;
    bool invert = p[0] == '!';
    if (invert) p = go_trim_space(p.substr(1));
    std::string pattern(p);
    if (!pattern.empty()) {
      pattern = go_clean(pattern);
      if (pattern.size() > 1 && pattern[0] == '/') pattern.erase(0, 1);
    }
    out.push_back(invert ? "!" + pattern : pattern);
  }
  return out;
}

// ---- Docker's patternmatcher for literal patterns ----------------------------

struct RefPattern {
  std::string text;
  size_t dirs = 1;
  bool exclusion = false;
  size_t rule = 0;
};

struct RefMatcher {
  std::vector<RefPattern> patterns;
  bool bad = false;  // New() fails ("illegal exclusion pattern")
};

bool literal_only(std::string_view p) { return p.find_first_of("*?[]\\") == std::string_view::npos; }

// patternmatcher.New; std::nullopt when some pattern is not literal.
std::optional<RefMatcher> reference_new(const std::vector<std::string>& patterns) {
  RefMatcher m;
  for (size_t i = 0; i < patterns.size(); ++i) {
    std::string_view t = go_trim_space(patterns[i]);
    if (t.empty()) continue;
    std::string p = go_clean(t);
    RefPattern rp;
    rp.rule = i;
    if (p[0] == '!') {
      if (p.size() == 1) {
        m.bad = true;
        return m;
      }
      rp.exclusion = true;
      p.erase(0, 1);
    }
    if (!literal_only(p)) return std::nullopt;
    for (char c : p) rp.dirs += c == '/';
    rp.text = std::move(p);
    m.patterns.push_back(std::move(rp));
  }
  return m;
}

// A verdict with its rule as an index, to compare with the reference.
struct Decision {
  bool excluded = false;
  int rule = -1;
  bool via_parent = false;
};

Decision decided(const RefPattern& p, bool via) {
  Decision v;
  v.excluded = !p.exclusion;
  v.rule = static_cast<int>(p.rule);
  v.via_parent = via;
  return v;
}

// MatchesOrParentMatches (mode 0) and Matches (mode 1).
Decision reference_matches(const RefMatcher& m, std::string_view path, int mode) {
  Components c = split(path);
  const size_t parents = c.parts.size() - 1;
  Decision v;
  for (const RefPattern& p : m.patterns) {
    if (p.exclusion != v.excluded) continue;
    bool match = path == p.text, via = false;
    if (!match && parents > 0) {
      if (mode == 0) {
        for (size_t k = 1; k <= parents && !match; ++k) match = via = c.prefix(k) == p.text;
      } else if (p.dirs <= parents) {
        match = via = c.prefix(p.dirs) == p.text;
      }
    }
    if (match) v = decided(p, via);
  }
  return v;
}

// MatchesUsingParentResults, called for every prefix of `path` in turn as
// a walk does; returns the verdict for the path itself.
Decision reference_walk(const RefMatcher& m, std::string_view path) {
  Components c = split(path);
  std::vector<uint8_t> parent;  // empty: no results (the top level)
  Decision v;
  for (size_t k = 1; k <= c.parts.size(); ++k) {
    std::string_view sub = c.prefix(k);
    std::vector<uint8_t> info(m.patterns.size(), 0);
    v = Decision{};
    for (size_t i = 0; i < m.patterns.size(); ++i) {
      const RefPattern& p = m.patterns[i];
      bool match = !parent.empty() && parent[i];
      bool via = match;
      if (!match) {
        if (p.exclusion != v.excluded) continue;
        match = sub == p.text;
        // No parent results: Docker falls back to MatchesOrParentMatches,
        // and a top-level path has no parents to check.
      }
      info[i] = match;
      if (match) v = decided(p, via);
    }
    parent = std::move(info);
  }
  return v;
}

// ---- driving ctxpack ---------------------------------------------------------

struct Outcome {
  bool error = false;
  Decision v;
};

template <typename F>
Outcome judge(const std::vector<ctxpack::Rule>& rules, F&& f) {
  Outcome o;
  try {
    Verdict v = f();
    // Numbered as in the file's rules: the Matcher drops blank patterns, so
    // its own numbering would not line up with the reference's.
    int index = -1;
    for (size_t i = 0; v.rule && i < rules.size(); ++i)
      if (rules[i].line == v.rule->line) index = static_cast<int>(i);
    if (v.rule && index < 0) fail("a verdict names a rule the file does not have");
    o.v = Decision{v.excluded, index, v.via_parent};
  } catch (const ctxpack::Error&) {
    o.error = true;
  }
  return o;
}

Verdict walk_verdict(const Matcher& m, std::string_view path) {
  Components c = split(path);
  Matcher::Trail trail[2];
  Verdict v;
  for (size_t k = 1; k <= c.parts.size(); ++k) {
    const Matcher::Trail* parent = k == 1 ? nullptr : &trail[k % 2];
    v = m.matches_with_parent(c.prefix(k), parent, &trail[(k + 1) % 2]);
  }
  return v;
}

bool same(const Decision& a, const Decision& b) {
  return a.excluded == b.excluded && a.rule == b.rule && a.via_parent == b.via_parent;
}

std::string describe(const Decision& v) {
  return std::string(v.excluded ? "excluded" : "included") + " by rule " + std::to_string(v.rule) +
         (v.via_parent ? " (via a parent)" : "");
}

void check_sane(const Matcher& m, const std::vector<ctxpack::Rule>& rules, std::string_view path, const Outcome& o,
                const char* fn) {
  if (o.error) return;
  const Decision& v = o.v;
  if (v.rule < -1 || v.rule >= static_cast<int>(rules.size()))
    fail(std::string(fn) + ": rule index " + std::to_string(v.rule) + " out of range for " + show(path));
  if (v.rule == -1) {
    if (v.excluded || v.via_parent) fail(std::string(fn) + ": a verdict without a rule for " + show(path));
    return;
  }
  // patternmatcher.New trims and cleans before it looks for the '!': " !x"
  // and " ./!x" are exceptions.
  const std::string cleaned = go_clean(go_trim_space(rules[v.rule].pattern));
  const bool exception = !cleaned.empty() && cleaned[0] == '!';
  if (v.excluded == exception)
    fail(std::string(fn) + ": " + describe(v) + " for " + show(path) + ", but that rule is " +
         show(rules[v.rule].pattern));
  if (v.via_parent && std::string(fn) == "matches_or_parents") {
    const ctxpack::Rule* rule = nullptr;
    for (const ctxpack::Rule& r : m.rules())
      if (r.line == rules[v.rule].line) rule = &r;
    std::string parent = m.parent_matched_by(*rule, path);
    if (parent.empty() || parent.size() >= path.size() || path.substr(0, parent.size()) != parent ||
        path[parent.size()] != '/')
      fail("parent_matched_by gives " + show(parent) + " for " + show(path) + ", " + describe(v));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  std::string_view data(reinterpret_cast<const char*>(bytes), size);

  std::optional<std::vector<std::string>> expected = reference_read_all(data);
  ctxpack::IgnoreFile file;
  try {
    file = ctxpack::parse_ignore_file(data, ".dockerignore");
  } catch (const ctxpack::Error& e) {
    if (expected) fail(std::string("the reader refused what Docker reads: ") + e.what());
    return 0;
  }
  if (!expected) fail("the reader accepted a line Docker refuses as too long");
  if (file.rules.size() != expected->size())
    fail("the reader found " + std::to_string(file.rules.size()) + " patterns, Docker " +
         std::to_string(expected->size()));
  for (size_t i = 0; i < expected->size(); ++i) {
    if (file.rules[i].pattern != (*expected)[i])
      fail("pattern " + std::to_string(i) + " is " + show(file.rules[i].pattern) + ", Docker reads " +
           show((*expected)[i]));
  }

  std::optional<RefMatcher> ref = reference_new(*expected);
  std::optional<Matcher> matcher;
  try {
    matcher.emplace(file.rules);
  } catch (const ctxpack::Error& e) {
    if (ref && !ref->bad) fail(std::string("Matcher refused literal patterns Docker accepts: ") + e.what());
    return 0;
  }
  if (ref && ref->bad) fail("Matcher accepted a lone \"!\" that Docker refuses");
  const Matcher& m = *matcher;

  for (const std::string& path : derive_paths(data, file.rules)) {
    Outcome mopm = judge(file.rules, [&] { return m.matches_or_parents(path); });
    Outcome one = judge(file.rules, [&] { return m.matches_one_parent(path); });
    Outcome walk = judge(file.rules, [&] { return walk_verdict(m, path); });
    check_sane(m, file.rules, path, mopm, "matches_or_parents");
    check_sane(m, file.rules, path, one, "matches_one_parent");
    check_sane(m, file.rules, path, walk, "matches_with_parent");

    if (ref) {
      const std::pair<const char*, std::pair<Outcome*, Decision>> cases[] = {
          {"matches_or_parents", {&mopm, reference_matches(*ref, path, 0)}},
          {"matches_one_parent", {&one, reference_matches(*ref, path, 1)}},
          {"matches_with_parent", {&walk, reference_walk(*ref, path)}},
      };
      for (const auto& [fn, pair] : cases) {
        const auto& [got, want] = pair;
        if (got->error) fail(std::string(fn) + " failed on literal patterns for " + show(path));
        if (!same(got->v, want))
          fail(std::string(fn) + "(" + show(path) + "): " + describe(got->v) + ", Docker: " + describe(want));
      }
    }

    if (path.find('/') == std::string::npos) {
      // Without parents the three functions are the same computation.
      if (mopm.error != one.error || mopm.error != walk.error)
        fail("the match functions disagree on failing for top-level " + show(path));
      if (!mopm.error && (!same(mopm.v, one.v) || !same(mopm.v, walk.v)))
        fail("the match functions disagree on top-level " + show(path) + ": " + describe(mopm.v) + " / " +
             describe(one.v) + " / " + describe(walk.v));
    }
    if (!m.has_exceptions() && !mopm.error && !walk.error && mopm.v.excluded != walk.v.excluded)
      fail("without exceptions, the walk verdict (" + describe(walk.v) + ") differs from matches_or_parents (" +
           describe(mopm.v) + ") for " + show(path));
  }
  return 0;
}
