// Go's regexp/syntax parser, for the expressions Docker's pattern
// translation produces (see ctxpack/rules/regex.h).
#include <array>
#include <cstring>

#include "ctxpack/support/utf8.h"
#include "regex_syntax.h"

namespace ctxpack::regex_syntax {

namespace {

bool is_alnum(char32_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// ---- parsing: Go's regexp/syntax with the flags regexp.Compile uses ----------
//
// The parser follows Go's structure (a stack of parsed pieces with markers
// for '(' and '|'), because which inputs are errors, and what a repetition
// operator applies to, depend on it: `^*` is valid, `a\Q\E{2}` repeats the
// `a`, a `{` that does not form a repetition is a literal.

// Go's limit on the compiled size of an expression (regexp/syntax maxSize).
constexpr int64_t kMaxSize = (int64_t{128} << 20) / 40;

class Parser {
 public:
  Parser(std::string_view s, std::vector<RuneSet>& sets) : whole_(s), sets_(sets) {}

  // The root node, or -1 with *error set.
  int parse(std::string* error) {
    int root = run();
    if (root < 0) *error = error_;
    return root;
  }

  std::vector<Node> nodes;

 private:
  int run() {
    std::string_view t = whole_;
    if (!valid_utf8(t)) return fail("invalid UTF-8");
    bool last_was_repeat = false;
    while (!t.empty()) {
      bool repeat = false;
      char c = t[0];
      switch (c) {
        case '(':
          if (t.size() >= 2 && t[1] == '?') return fail("unsupported group flags");
          op(NodeKind::kLeftParen);
          t.remove_prefix(1);
          break;
        case '|':
          concat();
          op(NodeKind::kVerticalBar);
          t.remove_prefix(1);
          break;
        case ')':
          if (!right_paren()) return -1;
          t.remove_prefix(1);
          break;
        case '^':
          op(NodeKind::kBegin);
          t.remove_prefix(1);
          break;
        case '$':
          op(NodeKind::kEnd);
          t.remove_prefix(1);
          break;
        case '.':
          op(NodeKind::kAnyNotNL);
          t.remove_prefix(1);
          break;
        case '[':
          if (!parse_class(t)) return -1;
          break;
        case '*':
        case '+':
        case '?': {
          NodeKind k = c == '*' ? NodeKind::kStar : c == '+' ? NodeKind::kPlus : NodeKind::kQuest;
          t.remove_prefix(1);
          if (!apply_repeat(k, 0, 0, t, last_was_repeat)) return -1;
          repeat = true;
          break;
        }
        case '{': {
          int min = 0, max = 0;
          std::string_view after;
          if (!parse_repeat(t, min, max, after)) {
            literal('{');  // not a repetition: a literal brace
            t.remove_prefix(1);
            break;
          }
          if (min < 0 || min > 1000 || max > 1000 || (max >= 0 && min > max)) return fail("invalid repeat count");
          t = after;
          if (!apply_repeat(NodeKind::kRepeat, min, max, t, last_was_repeat)) return -1;
          repeat = true;
          break;
        }
        case '\\':
          if (!parse_backslash(t)) return -1;
          break;
        default: {
          auto [r, n] = decode_rune(t);
          literal(r);
          t.remove_prefix(n);
        }
      }
      last_was_repeat = repeat;
    }
    concat();
    alternate();
    if (stack_.size() != 1 || is_marker(stack_[0])) return fail("missing closing )");
    if (size_of(stack_[0]) > kMaxSize) return fail("expression too large");
    return stack_[0];
  }

  int fail(const char* message) {
    if (error_.empty()) error_ = message;
    return -1;
  }
  bool failed(const char* message) {
    fail(message);
    return false;
  }

  static bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
      auto [r, n] = decode_rune(s.substr(i));
      if (r == kRuneError && n == 1) return false;
      i += n;
    }
    return true;
  }

  int add(Node n) {
    nodes.push_back(std::move(n));
    return static_cast<int>(nodes.size()) - 1;
  }
  void op(NodeKind k) { stack_.push_back(add(Node{k})); }
  void literal(char32_t r) {
    Node n{NodeKind::kLiteral};
    n.rune = r;
    stack_.push_back(add(std::move(n)));
  }
  void push_class(RuneSet set) {
    set.normalize();
    sets_.push_back(std::move(set));
    Node n{NodeKind::kClass};
    n.set = static_cast<int>(sets_.size()) - 1;
    stack_.push_back(add(std::move(n)));
  }
  bool is_marker(int i) const {
    return nodes[i].kind == NodeKind::kLeftParen || nodes[i].kind == NodeKind::kVerticalBar;
  }

  // Everything since the last marker becomes one concatenation.
  void concat() {
    size_t i = stack_.size();
    while (i > 0 && !is_marker(stack_[i - 1])) --i;
    std::vector<int> items(stack_.begin() + static_cast<long>(i), stack_.end());
    stack_.resize(i);
    if (items.empty()) {
      op(NodeKind::kEmpty);
    } else if (items.size() == 1) {
      stack_.push_back(items[0]);
    } else {
      Node n{NodeKind::kConcat};
      n.subs = std::move(items);
      stack_.push_back(add(std::move(n)));
    }
  }

  // The concatenations since the last '(' become one alternation.
  void alternate() {
    size_t i = stack_.size();
    while (i > 0 && nodes[stack_[i - 1]].kind != NodeKind::kLeftParen) --i;
    std::vector<int> items;
    for (size_t k = i; k < stack_.size(); ++k) {
      if (nodes[stack_[k]].kind != NodeKind::kVerticalBar) items.push_back(stack_[k]);
    }
    stack_.resize(i);
    if (items.size() == 1) {
      stack_.push_back(items[0]);
    } else {
      Node n{NodeKind::kAlternate};
      n.subs = std::move(items);
      stack_.push_back(add(std::move(n)));
    }
  }

  bool right_paren() {
    concat();
    alternate();
    size_t n = stack_.size();
    if (n < 2 || nodes[stack_[n - 2]].kind != NodeKind::kLeftParen) return failed("unexpected )");
    Node cap{NodeKind::kCapture};
    cap.subs = {stack_[n - 1]};
    stack_.resize(n - 2);
    stack_.push_back(add(std::move(cap)));
    return true;
  }

  // A repetition operator applies to whatever was pushed last.
  bool apply_repeat(NodeKind k, int min, int max, std::string_view& after, bool last_was_repeat) {
    if (!after.empty() && after[0] == '?') after.remove_prefix(1);  // non-greedy: same language
    if (last_was_repeat) return failed("invalid nested repetition operator");
    if (stack_.empty() || is_marker(stack_.back())) return failed("missing argument to repetition operator");
    Node n{k};
    n.min = min;
    n.max = max;
    n.subs = {stack_.back()};
    stack_.back() = add(std::move(n));
    return true;
  }

  // Go's parseInt: digits without a leading zero; -1 when too large.
  static bool parse_int(std::string_view& s, int& n) {
    if (s.empty() || s[0] < '0' || s[0] > '9') return false;
    if (s.size() >= 2 && s[0] == '0' && s[1] >= '0' && s[1] <= '9') return false;
    n = 0;
    bool big = false;
    while (!s.empty() && s[0] >= '0' && s[0] <= '9') {
      if (n >= 100000000) big = true;
      if (!big) n = n * 10 + (s[0] - '0');
      s.remove_prefix(1);
    }
    if (big) n = -1;
    return true;
  }

  // {n}, {n,} or {n,m}; false when `s` does not start with one.
  static bool parse_repeat(std::string_view s, int& min, int& max, std::string_view& rest) {
    if (s.empty() || s[0] != '{') return false;
    s.remove_prefix(1);
    if (!parse_int(s, min)) return false;
    if (s.empty()) return false;
    if (s[0] != ',') {
      max = min;
    } else {
      s.remove_prefix(1);
      if (s.empty()) return false;
      if (s[0] == '}') {
        max = -1;
      } else {
        if (!parse_int(s, max)) return false;
        if (max < 0) min = -1;
      }
    }
    if (s.empty() || s[0] != '}') return false;
    rest = s.substr(1);
    return true;
  }

  static int unhex(char32_t c) {
    if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
    return -1;
  }

  // The control character \a \f \n \r \t or \v stands for.
  static char32_t control_escape(char32_t c) {
    switch (c) {
      case 'a':
        return 7;
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      default:
        return '\v';
    }
  }

  // A single-rune escape at the start of `t` (the backslash).
  bool parse_escape(std::string_view& t, char32_t& r) {
    std::string_view s = t.substr(1);
    if (s.empty()) return failed("trailing backslash at end of expression");
    auto next = [&]() {
      auto [c, n] = decode_rune(s);
      s.remove_prefix(n);
      return c;
    };
    auto octal = [&] { return !s.empty() && s[0] >= '0' && s[0] <= '7'; };
    char32_t c = next();
    switch (c) {
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        // A single non-zero digit would be a backreference, which RE2 lacks.
        if (!octal()) break;
        [[fallthrough]];
      case '0':
        r = c - '0';
        for (int i = 1; i < 3 && octal(); ++i) {
          r = r * 8 + static_cast<char32_t>(s[0] - '0');
          s.remove_prefix(1);
        }
        t = s;
        return true;
      case 'x': {
        if (s.empty()) break;
        char32_t d = next();
        if (d == '{') {
          int digits = 0;
          r = 0;
          while (true) {
            if (s.empty()) return failed("invalid escape sequence");
            char32_t h = next();
            if (h == '}') break;
            int v = unhex(h);
            if (v < 0) return failed("invalid escape sequence");
            r = r * 16 + static_cast<char32_t>(v);
            if (r > kMaxRune) return failed("invalid escape sequence");
            ++digits;
          }
          if (digits == 0) break;
          t = s;
          return true;
        }
        int x = unhex(d);
        int y = s.empty() ? -1 : unhex(next());
        if (x < 0 || y < 0) break;
        r = static_cast<char32_t>(x * 16 + y);
        t = s;
        return true;
      }
      case 'a':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
        r = control_escape(c);
        t = s;
        return true;
      default:
        if (c < 128 && !is_alnum(c)) {  // punctuation escapes itself
          r = c;
          t = s;
          return true;
        }
    }
    return failed("invalid escape sequence");
  }

  // \d \s \w and their negations at the start of `t`; false if not one.
  static bool perl_class(std::string_view& t, RuneSet& set) {
    if (t.size() < 2 || t[0] != '\\') return false;
    RuneSet g;
    switch (t[1] | 0x20) {
      case 'd':
        g.add('0', '9');
        break;
      case 's':
        g.add('\t', '\n');
        g.add('\f', '\r');
        g.add(' ', ' ');
        break;
      case 'w':
        g.add('0', '9');
        g.add('A', 'Z');
        g.add('_', '_');
        g.add('a', 'z');
        break;
      default:
        return false;
    }
    if (t[1] >= 'A' && t[1] <= 'Z') g.negate();
    set.add(g);
    t.remove_prefix(2);
    return true;
  }

  bool parse_backslash(std::string_view& t) {
    if (t.size() >= 2) {
      switch (t[1]) {
        case 'A':
          op(NodeKind::kBegin);
          t.remove_prefix(2);
          return true;
        case 'b':
          op(NodeKind::kWordBoundary);
          t.remove_prefix(2);
          return true;
        case 'B':
          op(NodeKind::kNoWordBoundary);
          t.remove_prefix(2);
          return true;
        case 'C':
          return failed("invalid escape sequence");
        case 'Q': {
          // Everything up to \E (or the end) is literal, including what the
          // pattern translation appended after it.
          std::string_view rest = t.substr(2);
          size_t end = rest.find("\\E");
          std::string_view lit = rest.substr(0, end);
          t = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
          for (size_t i = 0; i < lit.size();) {
            auto [r, n] = decode_rune(lit.substr(i));
            literal(r);
            i += n;
          }
          return true;
        }
        case 'z':
          op(NodeKind::kEnd);
          t.remove_prefix(2);
          return true;
        case 'p':
        case 'P':
          return failed("unsupported Unicode class");
        default:
          break;
      }
    }
    RuneSet set;
    if (perl_class(t, set)) {
      push_class(std::move(set));
      return true;
    }
    char32_t r;
    if (!parse_escape(t, r)) return false;
    literal(r);
    return true;
  }

  // [:alpha:] and friends at the start of `t`. Go looks for the closing
  // ":]" anywhere further on, even past the class's own ']'.
  bool posix_class(std::string_view& t, RuneSet& set, bool& found) {
    size_t close = t.find(":]", 2);
    if (close == std::string_view::npos) return true;
    std::string_view name = t.substr(0, close + 2);
    bool negated = name.size() > 4 && name[2] == '^';
    std::string_view bare = name.substr(negated ? 3 : 2, name.size() - (negated ? 5 : 4));
    RuneSet g;
    auto r = [&](char32_t lo, char32_t hi) { g.add(lo, hi); };
    if (bare == "alnum") {
      r('0', '9');
      r('A', 'Z');
      r('a', 'z');
    } else if (bare == "alpha") {
      r('A', 'Z');
      r('a', 'z');
    } else if (bare == "ascii") {
      r(0, 0x7f);
    } else if (bare == "blank") {
      r('\t', '\t');
      r(' ', ' ');
    } else if (bare == "cntrl") {
      r(0, 0x1f);
      r(0x7f, 0x7f);
    } else if (bare == "digit") {
      r('0', '9');
    } else if (bare == "graph") {
      r('!', '~');
    } else if (bare == "lower") {
      r('a', 'z');
    } else if (bare == "print") {
      r(' ', '~');
    } else if (bare == "punct") {
      r('!', '/');
      r(':', '@');
      r('[', '`');
      r('{', '~');
    } else if (bare == "space") {
      r('\t', '\r');
      r(' ', ' ');
    } else if (bare == "upper") {
      r('A', 'Z');
    } else if (bare == "word") {
      r('0', '9');
      r('A', 'Z');
      r('a', 'z');
      r('_', '_');
    } else if (bare == "xdigit") {
      r('0', '9');
      r('A', 'F');
      r('a', 'f');
    } else
      return failed("invalid character class range");
    if (negated) g.negate();
    set.add(g);
    t.remove_prefix(close + 2);
    found = true;
    return true;
  }

  bool class_char(std::string_view& t, char32_t& r) {
    if (t.empty()) return failed("missing closing ]");
    if (t[0] == '\\') return parse_escape(t, r);
    auto [c, n] = decode_rune(t);
    r = c;
    t.remove_prefix(n);
    return true;
  }

  bool parse_class(std::string_view& s) {
    std::string_view t = s.substr(1);
    bool negated = false;
    if (!t.empty() && t[0] == '^') {
      negated = true;
      t.remove_prefix(1);
    }
    RuneSet set;
    bool first = true;  // ']' and '-' are literal first
    while (t.empty() || t[0] != ']' || first) {
      first = false;
      if (t.size() > 2 && t[0] == '[' && t[1] == ':') {
        bool found = false;
        if (!posix_class(t, set, found)) return false;
        if (found) continue;
      }
      if (t.size() >= 2 && t[0] == '\\' && (t[1] == 'p' || t[1] == 'P')) return failed("unsupported Unicode class");
      if (perl_class(t, set)) continue;
      char32_t lo, hi;
      if (!class_char(t, lo)) return false;
      hi = lo;
      if (t.size() >= 2 && t[0] == '-' && t[1] != ']') {
        t.remove_prefix(1);
        if (!class_char(t, hi)) return false;
        if (hi < lo) return failed("invalid character class range");
      }
      set.add(lo, hi);
    }
    t.remove_prefix(1);         // ']'
    if (negated) set.negate();  // with Go's ClassNL, a negated class matches '\n'
    push_class(std::move(set));
    s = t;
    return true;
  }

  // Go's calcSize: the instructions Go would compile the tree into.
  int64_t size_of(int i) const {
    const Node& n = nodes[i];
    int64_t size = 0;
    auto sub = [&](size_t k) { return size_of(n.subs[k]); };
    switch (n.kind) {
      case NodeKind::kLiteral:
        size = 1;
        break;
      case NodeKind::kCapture:
      case NodeKind::kStar:
        size = 2 + sub(0);
        break;
      case NodeKind::kPlus:
      case NodeKind::kQuest:
        size = 1 + sub(0);
        break;
      case NodeKind::kConcat:
        for (size_t k = 0; k < n.subs.size(); ++k) size += sub(k);
        break;
      case NodeKind::kAlternate:
        for (size_t k = 0; k < n.subs.size(); ++k) size += sub(k);
        size += static_cast<int64_t>(n.subs.size()) - 1;
        break;
      case NodeKind::kRepeat: {
        int64_t s = sub(0);
        if (n.max == -1) {
          size = n.min == 0 ? 2 + s : 1 + n.min * s;
        } else {
          size = n.max * s + (n.max - n.min);
        }
        break;
      }
      default:
        break;
    }
    return std::max<int64_t>(size, 1);
  }

  std::string_view whole_;
  std::vector<RuneSet>& sets_;
  std::vector<int> stack_;
  std::string error_;
};

}  // namespace

int parse(std::string_view expr, std::vector<Node>& nodes, std::vector<RuneSet>& sets, std::string* error) {
  Parser parser(expr, sets);
  const int root = parser.parse(error);
  nodes = std::move(parser.nodes);
  return root;
}

}  // namespace ctxpack::regex_syntax
