#include "ctxpack/rules/matcher.h"

#include <algorithm>
#include <utility>

#include "ctxpack/support/path.h"
#include "ctxpack/rules/regex.h"
#include "ctxpack/support/utf8.h"

namespace ctxpack {

namespace {

// ---- Go's filepath.Match, for the up-front syntax check -------------------

struct Chunk {
  bool star;
  std::string_view chunk, rest;
};

Chunk scan_chunk(std::string_view p) {
  bool star = false;
  while (!p.empty() && p[0] == '*') {
    p.remove_prefix(1);
    star = true;
  }
  bool in_range = false;
  size_t i = 0;
  for (; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      if (i + 1 < p.size()) ++i;
    } else if (c == '[') {
      in_range = true;
    } else if (c == ']') {
      in_range = false;
    } else if (c == '*' && !in_range) {
      break;
    }
  }
  return {star, p.substr(0, i), p.substr(i)};
}

// A possibly escaped rune inside a class; false for ErrBadPattern.
bool class_rune(std::string_view& chunk, char32_t& r) {
  if (chunk.empty() || chunk[0] == '-' || chunk[0] == ']') return false;
  if (chunk[0] == '\\') {
    chunk.remove_prefix(1);
    if (chunk.empty()) return false;
  }
  auto [c, n] = decode_rune(chunk);
  chunk.remove_prefix(n);
  r = c;
  return !(c == kRuneError && n == 1) && !chunk.empty();
}

// Matches `chunk` against the start of `s`. Returns -1 for a malformed
// chunk (checked to its end even after a mismatch), 0 for no match, 1 for
// a match with `rest` set to what follows.
int match_chunk(std::string_view chunk, std::string_view s, std::string_view& rest) {
  bool failed = false;
  while (!chunk.empty()) {
    if (!failed && s.empty()) failed = true;
    char c = chunk[0];
    if (c == '[') {
      char32_t r = 0;
      if (!failed) {
        auto [d, n] = decode_rune(s);
        r = d;
        s.remove_prefix(n);
      }
      chunk.remove_prefix(1);
      bool negated = false;
      if (!chunk.empty() && chunk[0] == '^') {
        negated = true;
        chunk.remove_prefix(1);
      }
      bool match = false;
      int nrange = 0;
      while (true) {
        if (!chunk.empty() && chunk[0] == ']' && nrange > 0) {
          chunk.remove_prefix(1);
          break;
        }
        char32_t lo, hi;
        if (!class_rune(chunk, lo)) return -1;
        hi = lo;
        if (chunk[0] == '-') {
          chunk.remove_prefix(1);
          if (!class_rune(chunk, hi)) return -1;
        }
        if (lo <= r && r <= hi) match = true;
        ++nrange;
      }
      if (match == negated) failed = true;
    } else if (c == '?') {
      if (!failed) {
        if (s[0] == '/') failed = true;
        s.remove_prefix(decode_rune(s).second);
      }
      chunk.remove_prefix(1);
    } else {
      if (c == '\\') {
        chunk.remove_prefix(1);
        if (chunk.empty()) return -1;
      }
      if (!failed) {
        if (chunk[0] != s[0]) failed = true;
        s.remove_prefix(1);
      }
      chunk.remove_prefix(1);
    }
  }
  if (failed) return 0;
  rest = s;
  return 1;
}

// ---- Docker's pattern-to-regex translation --------------------------------

// Reads runes the way Go's text/scanner does for Docker: invalid bytes as
// U+FFFD, and a byte-order mark at the very start skipped.
class RuneScanner {
 public:
  explicit RuneScanner(std::string_view s) : s_(s) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }
  static constexpr char32_t kEof = 0xFFFFFFFF;
  char32_t peek() const { return pos_ < s_.size() ? decode_rune(s_.substr(pos_)).first : kEof; }
  char32_t next() {
    auto [c, n] = decode_rune(s_.substr(pos_));
    pos_ += n;
    return c;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// The characters escaped before a pattern goes to Go's regexp. Docker
// means to escape `|`, `{` and `}` too, but its bitmap
// (escapeBytes[b%8] |= 1<<(b/8), a byte) drops every character from 64
// up, so those three stay live: `*|x` is an alternation, `a*{2}` an error.
// containers/storage escapes only `.` and `$`.
bool is_escaped_meta(char32_t c, PatternSyntax syntax) {
  switch (c) {
    case '.':
    case '$':
      return true;
    case '+':
    case '(':
    case ')':
      return syntax == PatternSyntax::kMoby;
    default:
      return false;
  }
}

// Valid UTF-8 without U+FFFD: comparing its runes is comparing its bytes.
bool plain_text(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto [r, n] = decode_rune(s.substr(i));
    if (r == kRuneError) return false;
    i += n;
  }
  return true;
}

// Docker's parents of `path`: filepath.Dir(path) split at '/', each prefix
// of the parts in turn ("a/b/c" -> "a", "a/b"). Stops when `f` says so.
template <typename F>
bool any_docker_parent(std::string_view path, F&& f) {
  std::string dir = go_dir(path);
  if (dir == ".") return false;
  std::string_view d = dir;
  for (size_t k = d.find('/'); k != std::string_view::npos; k = d.find('/', k + 1)) {
    if (f(d.substr(0, k))) return true;
  }
  return f(d);
}

// Paths on which "the prefixes ending before each '/'" are exactly
// Docker's parents, so the automaton can judge them.
bool automaton_path(std::string_view path) { return is_clean_path(path) && path[0] != '/'; }

}  // namespace

int go_filepath_match(std::string_view pattern, std::string_view name) {
  while (!pattern.empty()) {
    Chunk ch = scan_chunk(pattern);
    pattern = ch.rest;
    if (ch.star && ch.chunk.empty()) return name.find('/') == std::string_view::npos ? 1 : 0;
    std::string_view t;
    int r = match_chunk(ch.chunk, name, t);
    if (r == 1 && (t.empty() || !pattern.empty())) {
      name = t;
      continue;
    }
    if (r < 0) return -1;
    bool advanced = false;
    if (ch.star) {
      for (size_t i = 0; i < name.size() && name[i] != '/'; ++i) {
        r = match_chunk(ch.chunk, name.substr(i + 1), t);
        if (r == 1) {
          if (pattern.empty() && !t.empty()) continue;
          name = t;
          advanced = true;
          break;
        }
        if (r < 0) return -1;
      }
    }
    if (!advanced) return 0;
  }
  return name.empty() ? 1 : 0;
}

Pattern::Pattern(std::string cleaned, PatternSyntax syntax) : text_(std::move(cleaned)) {
  for (char c : text_) components_ += c == '/';

  RuneScanner scan(text_);
  std::string re = "^";
  kind_ = Kind::kExact;
  for (int i = 0; scan.peek() != RuneScanner::kEof; ++i) {
    char32_t ch = scan.next();
    if (ch == '*') {
      if (scan.peek() == '*') {
        scan.next();
        if (scan.peek() == '/') scan.next();  // "**/" works like "**"
        if (scan.peek() == RuneScanner::kEof) {
          re += ".*";
          kind_ = kind_ == Kind::kExact ? Kind::kPrefix : Kind::kRegex;
        } else {
          re += "(.*/)?";
          kind_ = Kind::kRegex;
        }
        // Docker treats any pattern that starts with "**" as a suffix test
        // unless a later wildcard turns it back into a regex.
        if (i == 0) kind_ = Kind::kSuffix;
      } else {
        re += "[^/]*";
        kind_ = Kind::kRegex;
      }
    } else if (ch == '?') {
      re += "[^/]";
      kind_ = Kind::kRegex;
    } else if (is_escaped_meta(ch, syntax)) {
      re += '\\';
      re += static_cast<char>(ch);
    } else if (ch == '\\') {
      // The escaped rune goes to RE2 raw: "\d" is a digit class there.
      re += '\\';
      if (scan.peek() != RuneScanner::kEof) {
        append_utf8(re, scan.next());
        kind_ = Kind::kRegex;
      }
    } else if (ch == '[' || ch == ']') {
      re += static_cast<char>(ch);
      kind_ = Kind::kRegex;
    } else {
      append_utf8(re, ch);
    }
  }

  // Storage has no plain-text shortcuts: "**x" is "(.*/)?x", not a suffix.
  if (syntax == PatternSyntax::kContainersStorage) kind_ = Kind::kRegex;
  switch (kind_) {
    case Kind::kExact:
      literal_ = text_;
      return;
    case Kind::kPrefix:
      literal_ = text_.substr(0, text_.size() - 2);
      return;
    case Kind::kSuffix:
      literal_ = text_.substr(2);
      return;
    default:
      break;
  }
  re += syntax == PatternSyntax::kMoby ? "$" : "(/.*)?$";
  regex_source_ = re;
  std::string error;
  regex_ = Regex::compile(re, &error);
  if (!regex_) kind_ = Kind::kInvalid;
}

Pattern::Pattern(Pattern&&) noexcept = default;
Pattern::~Pattern() = default;

int Pattern::match(std::string_view path) const {
  switch (kind_) {
    case Kind::kExact:
      return path == literal_;
    case Kind::kPrefix:
      return path.substr(0, literal_.size()) == literal_;
    case Kind::kSuffix:
      if (path.size() >= literal_.size() && path.substr(path.size() - literal_.size()) == literal_) return 1;
      return literal_[0] == '/' && path == std::string_view(literal_).substr(1);
    case Kind::kRegex:
      return regex_->search(path);
    case Kind::kInvalid:
      return -1;
  }
  return 0;
}

bool Pattern::matches_a_parent(std::string_view path) const {
  if (kind_ == Kind::kInvalid) return false;
  if (kind_ == Kind::kRegex && automaton_path(path)) return regex_->search_parents(path);
  return any_docker_parent(path, [&](std::string_view parent) { return match(parent) == 1; });
}

size_t Pattern::first_parent(std::string_view path) const {
  constexpr size_t npos = std::string_view::npos;
  switch (kind_) {
    case Kind::kExact: {
      size_t n = literal_.size();
      return n < path.size() && path[n] == '/' && path.substr(0, n) == literal_ ? n : npos;
    }
    case Kind::kPrefix:
      return path.substr(0, literal_.size()) == literal_ ? path.find('/', literal_.size()) : npos;
    case Kind::kSuffix:
      for (size_t k = path.find('/'); k != npos; k = path.find('/', k + 1)) {
        if (match(path.substr(0, k)) == 1) return k;
      }
      return npos;
    case Kind::kRegex:
      return regex_->first_parent(path);
    case Kind::kInvalid:
      break;
  }
  return npos;
}

bool Pattern::add_to(RegexSet& set) const {
  switch (kind_) {
    case Kind::kExact:
    case Kind::kPrefix:
    case Kind::kSuffix:
      if (!plain_text(literal_)) break;
      set.add_literal(kind_ == Kind::kExact    ? RegexSet::Literal::kExact
                      : kind_ == Kind::kPrefix ? RegexSet::Literal::kPrefix
                                               : RegexSet::Literal::kSuffix,
                      literal_);
      return true;
    case Kind::kRegex: {
      if (regex_->set().needs_context()) break;
      std::string error;
      if (set.add(regex_source_, &error)) return true;
      break;
    }
    case Kind::kInvalid:
      break;
  }
  set.add_never();
  return false;
}

namespace {
std::string location(const Rule& rule) { return rule_source(rule) + ":" + std::to_string(rule.line); }
}  // namespace

PatternError::PatternError(const Rule& rule)
    : Error(location(rule) + ": syntax error in pattern \"" + rule.text + "\"") {}

Matcher::Matcher(std::vector<Rule> rules, PatternSyntax syntax) : syntax_(syntax) {
  std::vector<bool> exception;
  for (Rule& rule : rules) {
    // Docker cleans patterns once more when compiling them; "!/" turns
    // into a lone "!" here.
    std::string_view trimmed = trim_space(rule.pattern);
    if (trimmed.empty()) continue;
    std::string p = clean_path(trimmed);
    bool is_exception = false;
    if (p[0] == '!') {
      if (p.size() == 1) {
        throw Error(location(rule) + ": illegal exclusion pattern: \"!\"");
      }
      is_exception = true;
      p.erase(0, 1);
    }
    if (go_filepath_match(p, ".") < 0) {
      throw Error(location(rule) + ": syntax error in pattern \"" + rule.text + "\"");
    }
    patterns_.emplace_back(std::move(p), syntax);
    rules_.push_back(std::move(rule));
    exception.push_back(is_exception);
    has_exceptions_ = has_exceptions_ || is_exception;
  }
  size_t words = (patterns_.size() + 63) / 64;
  exception_.assign(words, 0);
  alone_.assign(words, 0);
  // 64 patterns to an automaton: each fills one word of the hit sets, and
  // many small automata stay fast where one for thousands of rules would
  // keep rebuilding huge states.
  automata_.resize(words);
  for (size_t i = 0; i < patterns_.size(); ++i) {
    if (exception[i]) exception_[i / 64] |= uint64_t{1} << (i % 64);
    if (!patterns_[i].add_to(automata_[i / 64])) alone_[i / 64] |= uint64_t{1} << (i % 64);
  }
  if (words > 1) {
    // The default cache budget shared out, but never so thin that an
    // automaton keeps starting over (each needs a few hundred states).
    for (RegexSet& a : automata_) {
      a.limit_cache(std::max<size_t>(10000 / words, 384), std::max<size_t>((size_t{4} << 20) / words, 96 << 10));
    }
  }
  file_hits_.assign(words, 0);
  parent_hits_.assign(words, 0);
}

Matcher::Matcher(Matcher&&) noexcept = default;
Matcher::~Matcher() = default;

void Matcher::fail(size_t pattern) const { throw PatternError(rules_[pattern]); }

Verdict Matcher::replay(std::string_view path, const uint64_t* trail, bool use_parents, uint64_t* out) const {
  const size_t words = exception_.size();
  const uint64_t* file = file_hits_.data();
  const uint64_t* parents = parent_hits_.data();
  Verdict v;
  for (size_t i = 0;;) {
    // The next pattern Docker evaluates and that may match: one the
    // parent matched (always counted), or one whose kind can change the
    // verdict (an exception once excluded, a rule otherwise) that hit or
    // has to be tried on its own.
    size_t j = SIZE_MAX;
    for (size_t w = i / 64; w < words; ++w) {
      uint64_t c = file[w] | alone_[w] | (use_parents ? parents[w] : 0);
      c &= v.excluded ? exception_[w] : ~exception_[w];
      if (trail) c |= trail[w];
      if (w == i / 64) c &= ~uint64_t{0} << (i % 64);
      if (c) {
        j = w * 64 + static_cast<size_t>(__builtin_ctzll(c));
        break;
      }
    }
    if (j == SIZE_MAX) return v;
    i = j + 1;
    bool via;
    if (trail && ((trail[j / 64] >> (j % 64)) & 1)) {
      via = true;
    } else if (bit(alone_, j)) {
      int m = patterns_[j].match(path);
      if (m < 0) fail(j);
      via = false;
      if (m == 0 && use_parents) m = via = patterns_[j].matches_a_parent(path);
      if (m == 0) continue;
    } else {
      via = !((file[j / 64] >> (j % 64)) & 1);
    }
    if (out) out[j / 64] |= uint64_t{1} << (j % 64);
    v.excluded = !bit(exception_, j);
    v.rule = &rules_[j];
    v.via_parent = via;
  }
}

void Matcher::scan(std::string_view path, bool parents) const {
  std::fill(file_hits_.begin(), file_hits_.end(), 0);
  std::fill(parent_hits_.begin(), parent_hits_.end(), 0);
  for (size_t g = 0; g < automata_.size(); ++g) {
    automata_[g].match(path, &file_hits_[g], parents ? &parent_hits_[g] : nullptr);
  }
}

size_t Matcher::dfa_states() const {
  size_t n = 0;
  for (const RegexSet& a : automata_) n += a.dfa_states();
  return n;
}

Verdict Matcher::with_storage_parent(Verdict v, std::string_view path) const {
  if (syntax_ == PatternSyntax::kContainersStorage && v.rule) {
    v.via_parent = patterns_[index_of(*v.rule)].matches_a_parent(path);
  }
  return v;
}

Verdict Matcher::matches_or_parents(std::string_view path) const {
  if (!automaton_path(path)) return with_storage_parent(matches_or_parents_slow(path), path);
  scan(path, true);
  return with_storage_parent(replay(path, nullptr, true, nullptr), path);
}

Verdict Matcher::matches_with_parent(std::string_view path, const Trail* parent, Trail* out) const {
  // The copier asks about every path on its own (PatternMatcher.Matches).
  if (syntax_ == PatternSyntax::kContainersStorage) {
    if (out) out->matched_.clear();
    return matches_or_parents(path);
  }
  if (!automaton_path(path)) return matches_with_parent_slow(path, parent, out);
  const bool use_trail = parent && !parent->matched_.empty();
  scan(path, !use_trail);
  const uint64_t* trail = use_trail ? parent->matched_.data() : nullptr;
  if (!out) return replay(path, trail, !use_trail, nullptr);
  if (out == parent) {
    std::vector<uint64_t> matched(exception_.size(), 0);
    Verdict v = replay(path, trail, !use_trail, matched.data());
    out->matched_ = std::move(matched);
    return v;
  }
  out->matched_.assign(exception_.size(), 0);
  return replay(path, trail, !use_trail, out->matched_.data());
}

Verdict Matcher::matches_or_parents_slow(std::string_view path) const {
  Verdict v;
  for (size_t i = 0; i < patterns_.size(); ++i) {
    // Docker only evaluates what could change the outcome.
    if (is_exception(i) != v.excluded) continue;
    int m = patterns_[i].match(path);
    if (m < 0) fail(i);
    bool via = false;
    if (m == 0) m = via = patterns_[i].matches_a_parent(path);
    if (m) {
      v.excluded = !is_exception(i);
      v.rule = &rules_[i];
      v.via_parent = via;
    }
  }
  return v;
}

Verdict Matcher::matches_with_parent_slow(std::string_view path, const Trail* parent, Trail* out) const {
  const bool use_trail = parent && !parent->matched_.empty();
  std::vector<uint64_t> matched(exception_.size(), 0);
  Verdict v;
  for (size_t i = 0; i < patterns_.size(); ++i) {
    bool m = use_trail && bit(parent->matched_, i);
    bool via = m;
    if (!m) {
      if (is_exception(i) != v.excluded) continue;
      int r = patterns_[i].match(path);
      if (r < 0) fail(i);
      m = r;
      // Without a parent's results Docker falls back to checking parents.
      if (!m && !use_trail) m = via = patterns_[i].matches_a_parent(path);
    }
    if (m) {
      matched[i / 64] |= uint64_t{1} << (i % 64);
      v.excluded = !is_exception(i);
      v.rule = &rules_[i];
      v.via_parent = via;
    }
  }
  if (out) out->matched_ = std::move(matched);
  return v;
}

Verdict Matcher::matches_one_parent(std::string_view path) const {
  Verdict v;
  const std::string dir = go_dir(path);
  size_t dir_components = 1;
  for (char c : dir) dir_components += c == '/';
  for (size_t i = 0; i < patterns_.size(); ++i) {
    if (is_exception(i) != v.excluded) continue;
    int m = patterns_[i].match(path);
    if (m < 0) fail(i);
    bool via = false;
    size_t n = patterns_[i].component_count();
    if (m == 0 && dir != "." && n <= dir_components) {
      // Only the ancestor with as many components as the pattern.
      size_t end = 0;
      for (size_t k = 0; k < n && end != std::string::npos; ++k) end = dir.find('/', end + (k ? 1 : 0));
      m = via = patterns_[i].match(std::string_view(dir).substr(0, end)) == 1;
    }
    if (m) {
      v.excluded = !is_exception(i);
      v.rule = &rules_[i];
      v.via_parent = via;
    }
  }
  return v;
}

bool Matcher::has_invalid_patterns() const {
  for (const Pattern& p : patterns_)
    if (p.kind() == Pattern::Kind::kInvalid) return true;
  return false;
}

std::string Matcher::parent_matched_by(const Rule& rule, std::string_view path) const {
  const Pattern& pattern = patterns_[index_of(rule)];
  if (automaton_path(path)) {
    size_t n = pattern.first_parent(path);
    return n == std::string_view::npos ? std::string() : std::string(path.substr(0, n));
  }
  std::string found;
  any_docker_parent(path, [&](std::string_view parent) {
    if (pattern.match(parent) != 1) return false;
    found = parent;
    return true;
  });
  return found;
}

}  // namespace ctxpack
