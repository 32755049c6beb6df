#include "ctxpack/matcher.h"

#include <utility>

#include "ctxpack/path.h"
#include "ctxpack/regex.h"
#include "ctxpack/utf8.h"

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

bool is_regex_meta(char32_t c) {
  switch (c) {
    case '.': case '+': case '(': case ')': case '|': case '{': case '}': case '$':
      return true;
    default:
      return false;
  }
}

// Characters that are literal both in the pattern and in Docker's regex:
// runs of them give cheap necessary conditions for a regex match.
bool plain_literal(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u < 0x80 && c != '*' && c != '?' && c != '[' && c != ']' && c != '\\' && c != '^';
}

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

Pattern::Pattern(std::string cleaned) : text_(std::move(cleaned)) {
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
          if (kind_ == Kind::kExact) {
            kind_ = Kind::kPrefix;
          } else {
            re += ".*";
            kind_ = Kind::kRegex;
          }
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
    } else if (is_regex_meta(ch)) {
      re += '\\';
      re += static_cast<char>(ch);
    } else if (ch == '\\') {
      // The escaped rune goes to RE2 raw: "\d" is a digit class there.
      if (scan.peek() != RuneScanner::kEof) {
        re += '\\';
        append_utf8(re, scan.next());
        kind_ = Kind::kRegex;
      } else {
        re += '\\';
      }
    } else if (ch == '[' || ch == ']') {
      re += static_cast<char>(ch);
      kind_ = Kind::kRegex;
    } else {
      append_utf8(re, ch);
    }
  }

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
  re += '$';
  regex_source_ = re;
  std::string error;
  regex_ = Regex::compile(re, &error);
  if (!regex_) {
    kind_ = Kind::kInvalid;
    return;
  }
  size_t n = 0;
  while (n < text_.size() && plain_literal(text_[n])) ++n;
  required_prefix_ = text_.substr(0, n);
  if (text_.find('\\') == std::string::npos) {
    size_t m = text_.size();
    while (m > 0 && plain_literal(text_[m - 1])) --m;
    required_suffix_ = text_.substr(m);
  }
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
      return !literal_.empty() && literal_[0] == '/' && path == std::string_view(literal_).substr(1);
    case Kind::kRegex:
      if (path.substr(0, required_prefix_.size()) != required_prefix_) return 0;
      if (path.size() < required_suffix_.size() ||
          path.substr(path.size() - required_suffix_.size()) != required_suffix_)
        return 0;
      return regex_->search(path);
    case Kind::kInvalid:
      return -1;
  }
  return 0;
}

bool Pattern::matches_a_parent(std::string_view path) const {
  switch (kind_) {
    case Kind::kRegex:
      if (path.substr(0, required_prefix_.size()) != required_prefix_) return false;
      return regex_->search_parents(path);
    case Kind::kInvalid:
      return false;
    default:
      for (size_t i = path.find('/'); i != std::string_view::npos; i = path.find('/', i + 1)) {
        if (match(path.substr(0, i)) == 1) return true;
      }
      return false;
  }
}

PatternError::PatternError(const Rule& rule, size_t index)
    : Error(rule.file + ":" + std::to_string(rule.line) + ": syntax error in pattern \"" + rule.text + "\""),
      rule_index(index) {}

Matcher::Matcher(std::vector<Rule> rules) : rules_(std::move(rules)) {
  for (size_t r = 0; r < rules_.size(); ++r) {
    const Rule& rule = rules_[r];
    // Docker cleans patterns once more when compiling them; "!/" turns
    // into a lone "!" here.
    std::string_view trimmed = trim_space(rule.pattern);
    if (trimmed.empty()) continue;
    std::string p = clean_path(trimmed);
    bool exception = false;
    if (p[0] == '!') {
      if (p.size() == 1) {
        throw Error(rule.file + ":" + std::to_string(rule.line) + ": illegal exclusion pattern \"!\"");
      }
      exception = true;
      p.erase(0, 1);
    }
    if (go_filepath_match(p, ".") < 0) {
      throw Error(rule.file + ":" + std::to_string(rule.line) + ": syntax error in pattern \"" + rule.text + "\"");
    }
    patterns_.emplace_back(std::move(p));
    rule_of_.push_back(r);
    exception_.push_back(exception);
    has_exceptions_ = has_exceptions_ || exception;
  }
}

Matcher::Matcher(Matcher&&) noexcept = default;
Matcher::~Matcher() = default;

Verdict Matcher::matches_or_parents(std::string_view path) const {
  Verdict v;
  bool has_parent = path.find('/') != std::string_view::npos;
  for (size_t i = 0; i < patterns_.size(); ++i) {
    // Docker only evaluates what could change the outcome.
    if (static_cast<bool>(exception_[i]) != v.excluded) continue;
    int m = patterns_[i].match(path);
    if (m < 0) throw PatternError(rules_[rule_of_[i]], rule_of_[i]);
    bool via = false;
    if (m == 0 && has_parent) m = via = patterns_[i].matches_a_parent(path);
    if (m) {
      v.excluded = !exception_[i];
      v.rule = static_cast<int>(rule_of_[i]);
      v.via_parent = via;
    }
  }
  return v;
}

Verdict Matcher::matches_with_parent(std::string_view path, const Trail* parent, Trail* out) const {
  Verdict v;
  const bool use_parent = parent && !parent->matched_.empty();
  if (out) out->matched_.assign(patterns_.size(), 0);
  for (size_t i = 0; i < patterns_.size(); ++i) {
    bool m = use_parent && parent->matched_[i];
    bool via = m;
    if (!m) {
      if (static_cast<bool>(exception_[i]) != v.excluded) continue;
      int r = patterns_[i].match(path);
      if (r < 0) throw PatternError(rules_[rule_of_[i]], rule_of_[i]);
      m = r;
      // Without a parent's results Docker falls back to checking parents.
      if (!m && !use_parent) m = via = patterns_[i].matches_a_parent(path);
    }
    if (out) out->matched_[i] = m;
    if (m) {
      v.excluded = !exception_[i];
      v.rule = static_cast<int>(rule_of_[i]);
      v.via_parent = via;
    }
  }
  return v;
}

Verdict Matcher::matches_one_parent(std::string_view path) const {
  Verdict v;
  std::string_view parent = parent_path(path);
  size_t parent_components = 1;
  for (char c : parent) parent_components += c == '/';
  for (size_t i = 0; i < patterns_.size(); ++i) {
    if (static_cast<bool>(exception_[i]) != v.excluded) continue;
    int m = patterns_[i].match(path);
    if (m < 0) throw PatternError(rules_[rule_of_[i]], rule_of_[i]);
    bool via = false;
    size_t n = patterns_[i].component_count();
    if (m == 0 && !parent.empty() && n <= parent_components) {
      // Only the ancestor with as many components as the pattern.
      size_t end = 0;
      for (size_t k = 0; k < n; ++k) end = path.find('/', end + (k ? 1 : 0));
      m = via = patterns_[i].match(path.substr(0, end)) == 1;
    }
    if (m) {
      v.excluded = !exception_[i];
      v.rule = static_cast<int>(rule_of_[i]);
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

std::string Matcher::parent_matched_by(size_t rule, std::string_view path) const {
  for (size_t i = 0; i < patterns_.size(); ++i) {
    if (rule_of_[i] != rule) continue;
    for (size_t k = path.find('/'); k != std::string_view::npos; k = path.find('/', k + 1)) {
      if (patterns_[i].match(path.substr(0, k)) == 1) return std::string(path.substr(0, k));
    }
  }
  return {};
}

}  // namespace ctxpack
