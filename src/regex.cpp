#include "ctxpack/regex.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "ctxpack/utf8.h"

namespace ctxpack {
namespace {

constexpr char32_t kMaxRune = 0x10FFFF;

// A set of runes as sorted, non-overlapping, non-adjacent ranges, with an
// ASCII bitmap so the common case is one lookup.
struct RuneSet {
  std::vector<std::pair<char32_t, char32_t>> ranges;
  std::array<bool, 128> ascii{};

  void add(char32_t lo, char32_t hi) { ranges.emplace_back(lo, hi); }
  void add(const RuneSet& other) {
    ranges.insert(ranges.end(), other.ranges.begin(), other.ranges.end());
  }
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
    ascii.fill(false);
    for (auto [lo, hi] : ranges) {
      for (char32_t c = lo; c <= hi && c < 128; ++c) ascii[c] = true;
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
    if (c < 128) return ascii[c];
    auto it = std::upper_bound(ranges.begin(), ranges.end(), std::pair<char32_t, char32_t>(c, kMaxRune + 1));
    return it != ranges.begin() && std::prev(it)->second >= c;
  }
};

enum class Op : uint8_t { kRunes, kAnyNotNL, kSplit, kJmp, kBeginText, kEndText, kWordBoundary, kNotWordBoundary, kMatch };

struct Inst {
  Op op;
  int out = -1;
  int out1 = -1;  // second branch of kSplit
  int set = -1;   // index into Program::sets for kRunes
};

bool is_word(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_alnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

struct Regex::Program {
  std::vector<Inst> insts;
  std::vector<RuneSet> sets;
  int start = 0;
  bool uses_word_boundary = false;
  bool anchored = false;  // every thread starts with \A or ^, so no restart after position 0

  // Lazily built DFA. A state is the sorted list of instructions that are
  // waiting for input (rune consumers, kMatch, and kEndText held until the
  // end of input is known).
  struct State {
    std::vector<int> insts;
    bool has_match = false;
    int8_t end_accept = -1;  // -1: not computed yet
    std::array<int32_t, 128> next;
  };
  mutable std::vector<State> states;
  mutable std::unordered_map<std::string, int> index;
  mutable std::vector<uint32_t> mark;
  mutable uint32_t generation = 0;
  mutable int start_state = -1;
  mutable int restart_state = -1;  // closure of start at positions > 0

  static constexpr size_t kMaxStates = 4096;

  struct Context {
    bool begin = false;
    bool end = false;
    bool defer_end = true;  // DFA mode: keep kEndText pending
    char32_t prev = 0, next = 0;
    bool has_prev = false, has_next = false;
  };

  void closure(std::vector<int>& set, int pc, const Context& ctx) const {
    std::vector<int> stack{pc};
    while (!stack.empty()) {
      int p = stack.back();
      stack.pop_back();
      if (p < 0 || mark[p] == generation) continue;
      mark[p] = generation;
      const Inst& in = insts[p];
      switch (in.op) {
        case Op::kJmp:
          stack.push_back(in.out);
          break;
        case Op::kSplit:
          stack.push_back(in.out1);
          stack.push_back(in.out);
          break;
        case Op::kBeginText:
          if (ctx.begin) stack.push_back(in.out);
          break;
        case Op::kEndText:
          if (ctx.end) {
            stack.push_back(in.out);
          } else if (ctx.defer_end) {
            set.push_back(p);
          }
          break;
        case Op::kWordBoundary:
        case Op::kNotWordBoundary: {
          bool a = ctx.has_prev && is_word(ctx.prev);
          bool b = ctx.has_next && is_word(ctx.next);
          if ((a != b) == (in.op == Op::kWordBoundary)) stack.push_back(in.out);
          break;
        }
        default:
          set.push_back(p);
      }
    }
  }

  bool consumes(const Inst& in, char32_t c) const {
    if (in.op == Op::kAnyNotNL) return c != '\n';
    if (in.op == Op::kRunes) return sets[in.set].contains(c);
    return false;
  }

  // One input rune: the threads of `from` that accept `c`, followed through
  // their epsilon edges.
  void step(const std::vector<int>& from, char32_t c, const Context& ctx, std::vector<int>& to) const {
    ++generation;
    to.clear();
    for (int p : from) {
      if (consumes(insts[p], c)) closure(to, insts[p].out, ctx);
    }
    if (!anchored) closure(to, start, ctx);
  }

  bool any_match(const std::vector<int>& set) const {
    for (int p : set)
      if (insts[p].op == Op::kMatch) return true;
    return false;
  }

  bool end_accepts(const std::vector<int>& set) const {
    ++generation;
    std::vector<int> out;
    Context ctx;
    ctx.end = true;
    ctx.defer_end = false;
    for (int p : set) {
      if (insts[p].op == Op::kEndText) {
        closure(out, insts[p].out, ctx);
      } else if (insts[p].op == Op::kMatch) {
        return true;
      }
    }
    return any_match(out);
  }

  int intern(std::vector<int>& set) const {
    std::sort(set.begin(), set.end());
    std::string key(reinterpret_cast<const char*>(set.data()), set.size() * sizeof(int));
    auto it = index.find(key);
    if (it != index.end()) return it->second;
    if (states.size() >= kMaxStates) {
      // Bounded memory: start the cache over. Callers hold state ids only
      // across one step, and re-intern what they need.
      states.clear();
      index.clear();
      start_state = restart_state = -1;
    }
    State s;
    s.insts = set;
    s.has_match = any_match(set);
    s.next.fill(-1);
    states.push_back(std::move(s));
    int id = static_cast<int>(states.size()) - 1;
    index.emplace(std::move(key), id);
    return id;
  }

  int initial() const {
    if (start_state < 0) {
      ++generation;
      std::vector<int> set;
      Context ctx;
      ctx.begin = true;
      closure(set, start, ctx);
      start_state = intern(set);
    }
    return start_state;
  }

  int next_state(int s, char32_t c) const {
    if (c < 128 && states[s].next[c] >= 0) return states[s].next[c];
    std::vector<int> from = states[s].insts;
    std::vector<int> to;
    step(from, c, Context{}, to);
    size_t before = states.size();
    int t = intern(to);
    bool reset = states.size() < before;
    if (!reset && c < 128) states[s].next[c] = t;
    return t;
  }

  bool state_end_accepts(int s) const {
    if (states[s].end_accept < 0) states[s].end_accept = end_accepts(states[s].insts) ? 1 : 0;
    return states[s].end_accept == 1;
  }

  // DFA run. With `parents`, accept only when the input read so far,
  // ending just before a '/', matches.
  bool run_dfa(std::string_view text, bool parents) const {
    int s = initial();
    size_t i = 0;
    while (true) {
      if (states[s].has_match) {
        // A match ending here makes every longer prefix match too.
        return !parents || text.find('/', i) != std::string_view::npos;
      }
      if (i == text.size()) return !parents && state_end_accepts(s);
      if (parents && text[i] == '/' && state_end_accepts(s)) return true;
      auto [c, n] = decode_rune(text.substr(i));
      i += n;
      s = next_state(s, c);
      if (states[s].insts.empty() && anchored) return false;
    }
  }

  // NFA run with full context, for expressions with word boundaries.
  bool run_nfa(std::string_view text) const {
    std::vector<int> cur, nxt;
    Context ctx;
    ctx.defer_end = false;
    size_t i = 0;
    auto at = [&](size_t pos, Context& c) {
      c.begin = pos == 0;
      c.end = pos == text.size();
      c.has_next = pos < text.size();
      if (c.has_next) c.next = decode_rune(text.substr(pos)).first;
    };
    at(0, ctx);
    ++generation;
    closure(cur, start, ctx);
    while (true) {
      if (any_match(cur)) return true;
      if (i == text.size()) return false;
      auto [c, n] = decode_rune(text.substr(i));
      i += n;
      ctx.prev = c;
      ctx.has_prev = true;
      at(i, ctx);
      step(cur, c, ctx, nxt);
      std::swap(cur, nxt);
      if (cur.empty() && anchored) return false;
    }
  }
};

namespace {

// Parses RE2 syntax (Go regexp/syntax with the Perl flags that
// regexp.Compile uses) straight into Thompson-NFA fragments.
class Parser {
 public:
  Parser(std::string_view s, Regex::Program& prog) : s_(s), prog_(prog) {}

  bool parse(std::string* error) {
    Frag f;
    if (!parse_alternation(f) || !error_.empty()) {
      *error = error_.empty() ? "invalid regular expression" : error_;
      return false;
    }
    if (pos_ < s_.size()) {  // a ')' with no '('
      *error = "unexpected )";
      return false;
    }
    int m = emit({Op::kMatch});
    patch(f, m);
    prog_.start = f.start;
    return true;
  }

 private:
  // A fragment: its entry instruction and the dangling exits to patch.
  struct Frag {
    int start = -1;
    std::vector<std::pair<int, bool>> exits;  // (inst, is out1)
    bool empty = true;
  };

  int emit(Inst in) {
    prog_.insts.push_back(in);
    return static_cast<int>(prog_.insts.size()) - 1;
  }

  void patch(Frag& f, int target) {
    for (auto [i, second] : f.exits) (second ? prog_.insts[i].out1 : prog_.insts[i].out) = target;
    f.exits.clear();
  }

  Frag single(Inst in) {
    int i = emit(in);
    return Frag{i, {{i, false}}, false};
  }

  Frag runes(RuneSet set) {
    set.normalize();
    prog_.sets.push_back(std::move(set));
    Inst in{Op::kRunes};
    in.set = static_cast<int>(prog_.sets.size()) - 1;
    return single(in);
  }

  Frag literal(char32_t c) {
    RuneSet s;
    s.add(c, c);
    return runes(std::move(s));
  }

  void concat(Frag& a, Frag b) {
    if (a.empty) {
      a = std::move(b);
      return;
    }
    if (b.empty) return;
    patch(a, b.start);
    a.exits = std::move(b.exits);
  }

  bool fail(const char* msg) {
    if (error_.empty()) error_ = msg;
    return false;
  }

  bool at_end() const { return pos_ >= s_.size(); }

  char32_t next_rune() {
    auto [c, n] = decode_rune(s_.substr(pos_));
    pos_ += n;
    return c;
  }

  bool parse_alternation(Frag& out) {
    Frag left;
    if (!parse_concat(left)) return false;
    while (!at_end() && s_[pos_] == '|') {
      ++pos_;
      Frag right;
      if (!parse_concat(right)) return false;
      left = alternate(std::move(left), std::move(right));
    }
    out = std::move(left);
    return true;
  }

  Frag epsilon() { return single({Op::kJmp}); }

  Frag alternate(Frag a, Frag b) {
    if (a.empty) a = epsilon();
    if (b.empty) b = epsilon();
    Inst split{Op::kSplit};
    split.out = a.start;
    split.out1 = b.start;
    int i = emit(split);
    Frag f{i, std::move(a.exits), false};
    f.exits.insert(f.exits.end(), b.exits.begin(), b.exits.end());
    return f;
  }

  bool parse_concat(Frag& out) {
    Frag f;
    while (!at_end() && s_[pos_] != '|' && s_[pos_] != ')') {
      Frag atom;
      bool is_atom = true;
      if (!parse_atom(atom, is_atom)) return false;
      if (!parse_repeats(atom, is_atom)) return false;
      concat(f, std::move(atom));
    }
    out = std::move(f);
    return true;
  }

  bool parse_repeats(Frag& atom, bool is_atom) {
    bool repeated = false;
    while (!at_end() && (s_[pos_] == '*' || s_[pos_] == '+' || s_[pos_] == '?')) {
      char op = s_[pos_++];
      if (!is_atom) return fail("missing argument to repetition operator");
      if (repeated) return fail("invalid nested repetition operator");
      repeated = true;
      if (!at_end() && s_[pos_] == '?') ++pos_;  // non-greedy: same language
      if (atom.empty) atom = epsilon();
      Inst split{Op::kSplit};
      if (op == '?') {
        split.out = atom.start;
        int i = emit(split);
        Frag f{i, std::move(atom.exits), false};
        f.exits.emplace_back(i, true);
        atom = std::move(f);
      } else {
        split.out = atom.start;
        int i = emit(split);
        patch(atom, i);
        Frag f{op == '*' ? i : atom.start, {{i, true}}, false};
        atom = std::move(f);
      }
    }
    return true;
  }

  bool parse_atom(Frag& out, bool& is_atom) {
    char c = s_[pos_];
    switch (c) {
      case '*':
      case '+':
      case '?':
        return fail("missing argument to repetition operator");
      case '(': {
        ++pos_;
        if (!at_end() && s_[pos_] == '?') return fail("unsupported group syntax");
        if (!parse_alternation(out)) return false;
        if (at_end() || s_[pos_] != ')') return fail("missing closing )");
        ++pos_;
        return true;
      }
      case '.':
        ++pos_;
        out = single({Op::kAnyNotNL});
        return true;
      case '^':
        ++pos_;
        out = single({Op::kBeginText});
        is_atom = false;
        return true;
      case '$':
        ++pos_;
        out = single({Op::kEndText});
        is_atom = false;
        return true;
      case '[': {
        RuneSet set;
        if (!parse_class(set)) return false;
        out = runes(std::move(set));
        return true;
      }
      case '\\':
        return parse_escape_atom(out, is_atom);
      default:
        out = literal(next_rune());
        return true;
    }
  }

  bool parse_escape_atom(Frag& out, bool& is_atom) {
    if (pos_ + 1 >= s_.size()) return fail("trailing backslash at end of expression");
    char e = s_[pos_ + 1];
    switch (e) {
      case 'A':
        pos_ += 2;
        out = single({Op::kBeginText});
        is_atom = false;
        return true;
      case 'z':
        pos_ += 2;
        out = single({Op::kEndText});
        is_atom = false;
        return true;
      case 'b':
      case 'B':
        pos_ += 2;
        out = single({e == 'b' ? Op::kWordBoundary : Op::kNotWordBoundary});
        prog_.uses_word_boundary = true;
        is_atom = false;
        return true;
      case 'C':
        return fail("invalid escape sequence");
      case 'Q': {
        // Everything up to \E (or the end) is literal, including what the
        // pattern translation appended after it.
        pos_ += 2;
        size_t end = s_.find("\\E", pos_);
        std::string_view lit = s_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_);
        pos_ = end == std::string_view::npos ? s_.size() : end + 2;
        Frag f;
        for (size_t i = 0; i < lit.size();) {
          auto [r, n] = decode_rune(lit.substr(i));
          i += n;
          concat(f, literal(r));
        }
        out = std::move(f);
        // An empty \Q\E is not an atom a repetition could apply to.
        is_atom = !out.empty;
        return true;
      }
      default:
        break;
    }
    RuneSet set;
    bool is_class = false;
    if (!parse_class_escape(set, is_class)) return false;
    if (is_class) {
      out = runes(std::move(set));
      return true;
    }
    char32_t r;
    if (!parse_escape(r)) return false;
    out = literal(r);
    return true;
  }

  // \d \s \w and their negations, at pos_ (which points at the backslash).
  bool parse_class_escape(RuneSet& set, bool& is_class) {
    if (pos_ + 1 >= s_.size()) return true;
    char e = s_[pos_ + 1];
    if (e == 'p' || e == 'P') return fail("unsupported Unicode class");
    RuneSet base;
    switch (e | 0x20) {
      case 'd':
        base.add('0', '9');
        break;
      case 's':
        base.add('\t', '\n');
        base.add('\f', '\r');
        base.add(' ', ' ');
        break;
      case 'w':
        base.add('0', '9');
        base.add('A', 'Z');
        base.add('_', '_');
        base.add('a', 'z');
        break;
      default:
        return true;
    }
    if (e >= 'A' && e <= 'Z') base.negate();
    set.add(base);
    pos_ += 2;
    is_class = true;
    return true;
  }

  static int unhex(char32_t c) {
    if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
    return -1;
  }

  // A single-rune escape at pos_ (the backslash).
  bool parse_escape(char32_t& r) {
    ++pos_;
    if (at_end()) return fail("trailing backslash at end of expression");
    char32_t c = next_rune();
    if (c < 128 && !is_alnum(c)) {
      r = c;
      return true;
    }
    auto octal_digit = [&] { return !at_end() && s_[pos_] >= '0' && s_[pos_] <= '7'; };
    switch (c) {
      case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        // A lone digit would be a backreference, which RE2 lacks.
        if (!octal_digit()) break;
        [[fallthrough]];
      case '0':
        r = c - '0';
        for (int i = 1; i < 3 && octal_digit(); ++i) r = r * 8 + (s_[pos_++] - '0');
        return true;
      case 'x': {
        if (at_end()) break;
        char32_t d = next_rune();
        if (d == '{') {
          int n = 0;
          r = 0;
          while (true) {
            if (at_end()) return fail("invalid escape sequence");
            char32_t h = next_rune();
            if (h == '}') break;
            int v = unhex(h);
            if (v < 0) return fail("invalid escape sequence");
            r = r * 16 + v;
            if (r > kMaxRune) return fail("invalid escape sequence");
            ++n;
          }
          if (n == 0) break;
          return true;
        }
        if (at_end()) break;
        int x = unhex(d);
        int y = unhex(next_rune());
        if (x < 0 || y < 0) break;
        r = static_cast<char32_t>(x * 16 + y);
        return true;
      }
      case 'a': r = 7; return true;
      case 'f': r = '\f'; return true;
      case 'n': r = '\n'; return true;
      case 'r': r = '\r'; return true;
      case 't': r = '\t'; return true;
      case 'v': r = '\v'; return true;
      default:
        break;
    }
    return fail("invalid escape sequence");
  }

  bool parse_posix_class(RuneSet& set, bool& found) {
    // Go looks for the closing ":]" anywhere further on, even past the
    // class's own ']'.
    size_t close = s_.find(":]", pos_ + 2);
    if (close == std::string_view::npos) return true;
    std::string_view name = s_.substr(pos_, close + 2 - pos_);
    bool negated = name.size() > 4 && name[2] == '^';
    std::string_view bare = name.substr(negated ? 3 : 2, name.size() - (negated ? 5 : 4));
    RuneSet g;
    auto r = [&](char32_t lo, char32_t hi) { g.add(lo, hi); };
    if (bare == "alnum") { r('0', '9'); r('A', 'Z'); r('a', 'z'); }
    else if (bare == "alpha") { r('A', 'Z'); r('a', 'z'); }
    else if (bare == "ascii") { r(0, 0x7f); }
    else if (bare == "blank") { r('\t', '\t'); r(' ', ' '); }
    else if (bare == "cntrl") { r(0, 0x1f); r(0x7f, 0x7f); }
    else if (bare == "digit") { r('0', '9'); }
    else if (bare == "graph") { r('!', '~'); }
    else if (bare == "lower") { r('a', 'z'); }
    else if (bare == "print") { r(' ', '~'); }
    else if (bare == "punct") { r('!', '/'); r(':', '@'); r('[', '`'); r('{', '~'); }
    else if (bare == "space") { r('\t', '\r'); r(' ', ' '); }
    else if (bare == "upper") { r('A', 'Z'); }
    else if (bare == "word") { r('0', '9'); r('A', 'Z'); r('a', 'z'); r('_', '_'); }
    else if (bare == "xdigit") { r('0', '9'); r('A', 'F'); r('a', 'f'); }
    else return fail("invalid character class range");
    if (negated) g.negate();
    set.add(g);
    pos_ = close + 2;
    found = true;
    return true;
  }

  bool parse_class_char(char32_t& r) {
    if (at_end()) return fail("missing closing ]");
    if (s_[pos_] == '\\') return parse_escape(r);
    r = next_rune();
    return true;
  }

  bool parse_class(RuneSet& out) {
    ++pos_;  // '['
    bool negated = false;
    if (!at_end() && s_[pos_] == '^') {
      negated = true;
      ++pos_;
    }
    RuneSet set;
    bool first = true;
    while (at_end() || s_[pos_] != ']' || first) {
      if (at_end()) return fail("missing closing ]");
      first = false;
      if (s_.size() - pos_ > 2 && s_[pos_] == '[' && s_[pos_ + 1] == ':') {
        bool found = false;
        if (!parse_posix_class(set, found)) return false;
        if (found) continue;
      }
      if (s_[pos_] == '\\') {
        bool is_class = false;
        if (!parse_class_escape(set, is_class)) return false;
        if (is_class) continue;
      }
      char32_t lo, hi;
      if (!parse_class_char(lo)) return false;
      hi = lo;
      if (s_.size() - pos_ >= 2 && s_[pos_] == '-' && s_[pos_ + 1] != ']') {
        ++pos_;
        if (!parse_class_char(hi)) return false;
        if (hi < lo) return fail("invalid character class range");
      }
      set.add(lo, hi);
    }
    ++pos_;  // ']'
    if (negated) set.negate();
    out = std::move(set);
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  Regex::Program& prog_;
  std::string error_;
};

}  // namespace

std::unique_ptr<Regex> Regex::compile(std::string_view expr, std::string* error) {
  auto prog = std::make_unique<Program>();
  Parser parser(expr, *prog);
  if (!parser.parse(error)) return nullptr;
  prog->mark.assign(prog->insts.size(), 0);
  // Anchored when the start's epsilon closure, taken at a position other
  // than 0, holds no thread: then nothing can begin a match later on.
  {
    std::vector<int> set;
    Program::Context ctx;
    ++prog->generation;
    prog->closure(set, prog->start, ctx);
    prog->anchored = set.empty() && !prog->uses_word_boundary;
    // With word boundaries the closure above is context-dependent; those
    // expressions restart at each position, which is always correct.
  }
  return std::unique_ptr<Regex>(new Regex(std::move(prog)));
}

Regex::Regex(std::unique_ptr<Program> prog) : prog_(std::move(prog)) {}
Regex::~Regex() = default;

bool Regex::search(std::string_view text) const {
  return prog_->uses_word_boundary ? prog_->run_nfa(text) : prog_->run_dfa(text, false);
}

bool Regex::search_parents(std::string_view text) const {
  if (!prog_->uses_word_boundary) return prog_->run_dfa(text, true);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '/' && search(text.substr(0, i))) return true;
  }
  return false;
}

}  // namespace ctxpack
