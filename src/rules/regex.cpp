#include "ctxpack/rules/regex.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "ctxpack/support/utf8.h"
#include "regex_syntax.h"

namespace ctxpack {

using regex_syntax::is_word;
using regex_syntax::Node;
using regex_syntax::NodeKind;
using regex_syntax::RuneSet;

namespace {

// ---- the NFA -----------------------------------------------------------------

enum class Op : uint8_t {
  kRune,   // arg: the rune
  kRunes,  // arg: index into sets
  kAnyNotNL,
  kAnyRune,
  kSplit,  // out, out1
  kNop,
  kBegin,
  kEnd,
  kWordBoundary,
  kNoWordBoundary,
  kMatch,  // arg: member
};

struct Inst {
  Op op;
  uint32_t out = 0;
  uint32_t out1 = 0;
  uint32_t arg = 0;
};

constexpr uint32_t kNone = 0xFFFFFFFF;

}  // namespace

struct RegexSet::Impl {
  std::vector<Inst> insts;
  std::vector<RuneSet> sets;
  std::vector<uint32_t> starts;  // per member
  size_t members = 0;
  bool context = false;  // some member has \b or \B

  // ---- building ----

  // Dangling exits as (instruction, second branch?) pairs.
  struct Piece {
    uint32_t start = kNone;
    std::vector<std::pair<uint32_t, bool>> exits;
  };

  uint32_t emit(Inst in) {
    insts.push_back(in);
    return static_cast<uint32_t>(insts.size() - 1);
  }
  void patch(Piece& p, uint32_t target) {
    for (auto [i, second] : p.exits) (second ? insts[i].out1 : insts[i].out) = target;
    p.exits.clear();
  }
  Piece single(Inst in) {
    uint32_t i = emit(in);
    return Piece{i, {{i, false}}};
  }
  Piece seq(Piece a, Piece b) {
    if (a.start == kNone) return b;
    if (b.start == kNone) return a;
    patch(a, b.start);
    a.exits = std::move(b.exits);
    return a;
  }
  Piece nop() { return single({Op::kNop}); }
  Piece alt(Piece a, Piece b) {
    if (a.start == kNone) a = nop();
    if (b.start == kNone) b = nop();
    Inst s{Op::kSplit};
    s.out = a.start;
    s.out1 = b.start;
    uint32_t i = emit(s);
    Piece p{i, std::move(a.exits)};
    p.exits.insert(p.exits.end(), b.exits.begin(), b.exits.end());
    return p;
  }
  Piece star(Piece a) {
    if (a.start == kNone) a = nop();
    Inst s{Op::kSplit};
    s.out = a.start;
    uint32_t i = emit(s);
    patch(a, i);
    return Piece{i, {{i, true}}};
  }
  Piece plus(Piece a) {
    if (a.start == kNone) a = nop();
    Inst s{Op::kSplit};
    s.out = a.start;
    uint32_t i = emit(s);
    patch(a, i);
    return Piece{a.start, {{i, true}}};
  }
  Piece quest(Piece a) {
    if (a.start == kNone) a = nop();
    Inst s{Op::kSplit};
    s.out = a.start;
    uint32_t i = emit(s);
    Piece p{i, std::move(a.exits)};
    p.exits.emplace_back(i, true);
    return p;
  }
  uint32_t empty_set() {
    sets.emplace_back();
    return static_cast<uint32_t>(sets.size() - 1);
  }
  Piece rune(char32_t r) {
    Inst in{Op::kRune};
    in.arg = r;
    return single(in);
  }

  Piece compile(const std::vector<Node>& nodes, int set_base, int i) {
    const Node& n = nodes[i];
    switch (n.kind) {
      case NodeKind::kEmpty:
        return nop();
      case NodeKind::kLiteral:
        return rune(n.rune);
      case NodeKind::kClass: {
        Inst in{Op::kRunes};
        in.arg = static_cast<uint32_t>(set_base + n.set);
        return single(in);
      }
      case NodeKind::kAnyNotNL:
        return single({Op::kAnyNotNL});
      case NodeKind::kBegin:
        return single({Op::kBegin});
      case NodeKind::kEnd:
        return single({Op::kEnd});
      case NodeKind::kWordBoundary:
        context = true;
        return single({Op::kWordBoundary});
      case NodeKind::kNoWordBoundary:
        context = true;
        return single({Op::kNoWordBoundary});
      case NodeKind::kCapture:
        return compile(nodes, set_base, n.subs[0]);
      case NodeKind::kStar:
        return star(compile(nodes, set_base, n.subs[0]));
      case NodeKind::kPlus:
        return plus(compile(nodes, set_base, n.subs[0]));
      case NodeKind::kQuest:
        return quest(compile(nodes, set_base, n.subs[0]));
      case NodeKind::kRepeat: {
        // x{2,4} = xx(x(x)?)?; x{2,} = xxx*.
        Piece p;
        for (int k = 0; k < n.min; ++k) p = seq(std::move(p), compile(nodes, set_base, n.subs[0]));
        if (n.max == -1) return seq(std::move(p), star(compile(nodes, set_base, n.subs[0])));
        Piece tail;
        for (int k = n.min; k < n.max; ++k) tail = quest(seq(compile(nodes, set_base, n.subs[0]), std::move(tail)));
        p = seq(std::move(p), std::move(tail));
        return p.start == kNone ? nop() : p;
      }
      case NodeKind::kConcat: {
        Piece p;
        for (int s : n.subs) p = seq(std::move(p), compile(nodes, set_base, s));
        return p;
      }
      case NodeKind::kAlternate: {
        Piece p = compile(nodes, set_base, n.subs.back());
        for (size_t k = n.subs.size() - 1; k-- > 0;) p = alt(compile(nodes, set_base, n.subs[k]), std::move(p));
        return p;
      }
      default:
        return nop();
    }
  }

  // Ends a member: its exits lead to its Match, and unless every way
  // through it starts with ^ it may start anywhere (an any-rune loop first).
  void finish_member(Piece p) {
    Inst m{Op::kMatch};
    m.arg = static_cast<uint32_t>(members);
    uint32_t match = emit(m);
    if (p.start == kNone) p = nop();
    patch(p, match);
    uint32_t start = p.start;
    if (!anchored(start)) {
      Inst s{Op::kSplit};
      s.out1 = start;
      uint32_t loop = emit(s);
      Inst any{Op::kAnyRune};
      any.out = loop;
      insts[loop].out = emit(any);
      start = loop;
    }
    starts.push_back(start);
    ++members;
    mark.assign(insts.size(), 0);
    reset_cache();
  }

  bool anchored(uint32_t start) {
    std::vector<uint8_t> seen(insts.size(), 0);
    std::vector<uint32_t> stack{start};
    while (!stack.empty()) {
      uint32_t p = stack.back();
      stack.pop_back();
      if (seen[p]) continue;
      seen[p] = 1;
      const Inst& in = insts[p];
      switch (in.op) {
        case Op::kBegin:
          break;  // dies away from position 0
        case Op::kSplit:
          stack.push_back(in.out);
          stack.push_back(in.out1);
          break;
        case Op::kNop:
        case Op::kEnd:
        case Op::kWordBoundary:
        case Op::kNoWordBoundary:
          stack.push_back(in.out);
          break;
        default:
          return false;  // consumes or matches without passing ^
      }
    }
    return true;
  }

  // ---- matching: closure ----

  mutable std::vector<uint32_t> mark;
  mutable uint32_t generation = 0;
  mutable std::vector<uint32_t> stack;

  struct Context {
    bool begin = false;
    bool end = false;
    bool defer_end = true;  // DFA: keep End pending until the end of input is known
    bool has_prev = false, has_next = false;
    char32_t prev = 0, next = 0;
  };

  void new_generation() const {
    if (++generation == 0) {
      std::fill(mark.begin(), mark.end(), 0);
      generation = 1;
    }
  }

  // Adds to `out` the instructions reachable from `pc` without input that
  // wait for input (consumers), match, or (deferred) wait for the end.
  void closure(std::vector<uint32_t>& out, uint32_t pc, const Context& ctx) const {
    stack.clear();
    stack.push_back(pc);
    while (!stack.empty()) {
      uint32_t p = stack.back();
      stack.pop_back();
      if (mark[p] == generation) continue;
      mark[p] = generation;
      const Inst& in = insts[p];
      switch (in.op) {
        case Op::kNop:
          stack.push_back(in.out);
          break;
        case Op::kSplit:
          stack.push_back(in.out1);
          stack.push_back(in.out);
          break;
        case Op::kBegin:
          if (ctx.begin) stack.push_back(in.out);
          break;
        case Op::kEnd:
          if (ctx.end) {
            stack.push_back(in.out);
          } else if (ctx.defer_end) {
            out.push_back(p);
          }
          break;
        case Op::kWordBoundary:
        case Op::kNoWordBoundary: {
          bool a = ctx.has_prev && is_word(ctx.prev);
          bool b = ctx.has_next && is_word(ctx.next);
          if ((a != b) == (in.op == Op::kWordBoundary)) stack.push_back(in.out);
          break;
        }
        default:
          out.push_back(p);
      }
    }
  }

  bool consumes(const Inst& in, char32_t c) const {
    switch (in.op) {
      case Op::kRune:
        return in.arg == c;
      case Op::kRunes:
        return sets[in.arg].contains(c);
      case Op::kAnyNotNL:
        return c != '\n';
      case Op::kAnyRune:
        return true;
      default:
        return false;
    }
  }

  // ---- matching: the lazy DFA ----

  // A state: the sorted instructions waiting at a position. `now` and
  // `end` index bit sets (or -1 when empty): the members that matched on
  // reaching the state, and those that match if the input ends here.
  struct State {
    uint32_t first = 0, count = 0;
    int32_t now = -1, end = -1;
    bool special() const { return now >= 0 || count == 0; }
  };

  // Transitions on ASCII bytes, 128 per state: the target, kUnknown when
  // not computed yet, or flag(target) when the target needs attention
  // (members matched on reaching it, or no thread is left), so the common
  // step is one load and one sign test.
  static constexpr int32_t kUnknown = -1;
  static int32_t flag(int32_t state) { return -2 - state; }

  // Bounded memory: past these the cache starts over (RE2 does the same).
  size_t max_states = 10000;
  size_t max_pool = size_t{4} << 20;  // instructions listed by all states

  mutable std::vector<State> states;
  mutable std::vector<int32_t> table;  // states.size() * 128
  mutable std::vector<uint32_t> pool;  // instruction lists of the states
  mutable std::vector<uint64_t> bits;  // bit sets of the states
  mutable std::unordered_multimap<uint64_t, int32_t> index;
  mutable std::unordered_map<uint64_t, int32_t> wide;  // (state, rune >= 128) -> state
  mutable int32_t start_state = -1;
  mutable size_t resets = 0;
  mutable std::vector<uint32_t> scratch, scratch2;

  size_t words() const { return (members + 63) / 64; }

  void reset_cache() const {
    states.clear();
    table.clear();
    pool.clear();
    bits.clear();
    index.clear();
    wide.clear();
    start_state = -1;
  }

  static uint64_t hash(const uint32_t* p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull ^ n;
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
  }

  int32_t store_bits(const std::vector<uint32_t>& matched) const {
    if (matched.empty()) return -1;
    int32_t off = static_cast<int32_t>(bits.size());
    bits.resize(bits.size() + words(), 0);
    for (uint32_t m : matched) bits[off + m / 64] |= uint64_t{1} << (m % 64);
    return off;
  }

  // The members that match if the input ends with the threads in `list`.
  void end_matches(const uint32_t* list, size_t n, bool at_begin, std::vector<uint32_t>& matched) const {
    new_generation();
    scratch2.clear();
    Context ctx;
    ctx.begin = at_begin;
    ctx.end = true;
    ctx.defer_end = false;
    for (size_t i = 0; i < n; ++i) {
      const Inst& in = insts[list[i]];
      if (in.op == Op::kEnd) closure(scratch2, in.out, ctx);
    }
    for (uint32_t p : scratch2)
      if (insts[p].op == Op::kMatch) matched.push_back(insts[p].arg);
  }

  // Interns the (deduplicated) instruction list in `set`. The initial
  // state is never shared: at position 0, ^ holds.
  int32_t intern(std::vector<uint32_t>& set, bool initial) const {
    std::sort(set.begin(), set.end());
    uint64_t h = hash(set.data(), set.size());
    if (!initial) {
      auto [lo, hi] = index.equal_range(h);
      for (auto it = lo; it != hi; ++it) {
        const State& s = states[it->second];
        if (s.count == set.size() && std::equal(set.begin(), set.end(), pool.begin() + s.first)) return it->second;
      }
    }
    if (states.size() >= max_states || pool.size() + set.size() > max_pool) {
      reset_cache();
      ++resets;
    }
    State s;
    s.first = static_cast<uint32_t>(pool.size());
    s.count = static_cast<uint32_t>(set.size());
    pool.insert(pool.end(), set.begin(), set.end());
    std::vector<uint32_t> matched;
    for (uint32_t p : set)
      if (insts[p].op == Op::kMatch) matched.push_back(insts[p].arg);
    s.now = store_bits(matched);
    end_matches(set.data(), set.size(), initial, matched);
    std::sort(matched.begin(), matched.end());
    matched.erase(std::unique(matched.begin(), matched.end()), matched.end());
    s.end = store_bits(matched);
    states.push_back(s);
    table.resize(table.size() + 128, kUnknown);
    int32_t id = static_cast<int32_t>(states.size()) - 1;
    if (initial) {
      start_state = id;
    } else {
      index.emplace(h, id);
    }
    return id;
  }

  int32_t initial() const {
    if (start_state >= 0) return start_state;
    new_generation();
    scratch.clear();
    Context ctx;
    ctx.begin = true;
    for (uint32_t s : starts) closure(scratch, s, ctx);
    return intern(scratch, true);
  }

  // The state after reading `c` in state `s`, computed and remembered.
  int32_t step(int32_t s, char32_t c) const {
    new_generation();
    scratch.clear();
    Context ctx;
    const State& st = states[s];
    for (uint32_t i = 0; i < st.count; ++i) {
      const Inst& in = insts[pool[st.first + i]];
      if (consumes(in, c)) closure(scratch, in.out, ctx);
    }
    size_t before = resets;
    int32_t t = intern(scratch, false);
    if (resets != before) return t;  // `s` went with the old cache
    if (c < 128) {
      table[static_cast<size_t>(s) * 128 + c] = states[t].special() ? flag(t) : t;
    } else {
      wide.emplace((static_cast<uint64_t>(s) << 21) | c, t);
    }
    return t;
  }

  void or_bits(uint64_t* to, int32_t off) const {
    const uint64_t* from = bits.data() + off;
    for (size_t w = 0, n = words(); w < n; ++w) to[w] |= from[w];
  }

  bool any(const uint64_t* b) const {
    for (size_t w = 0, n = words(); w < n; ++w)
      if (b[w]) return true;
    return false;
  }

  // The members that match after a '/' in `text` match a parent too.
  void matched_before_a_slash(std::string_view text, size_t from, uint64_t* file, uint64_t* parents,
                              size_t* stop) const {
    size_t slash = parents ? text.find('/', from) : std::string_view::npos;
    if (slash == std::string_view::npos) return;
    for (size_t w = 0, n = words(); w < n; ++w) parents[w] |= file[w];
    if (stop && any(parents)) *stop = slash;
  }

  // With `stop`, returns at the first '/' where some member matched the
  // prefix before it, with its position in *stop.
  void match_dfa(std::string_view text, uint64_t* file, uint64_t* parents, size_t* stop) const {
    const size_t n = text.size();
    const unsigned char* p = reinterpret_cast<const unsigned char*>(text.data());
    int32_t s = initial();
    if (states[s].now >= 0) or_bits(file, states[s].now);
    if (states[s].count == 0) return matched_before_a_slash(text, 0, file, parents, stop);
    size_t i = 0;
    while (i < n) {
      unsigned b = p[i];
      int32_t t;
      if (b < 128 && b != '/') {
        // The hot loop: plain ASCII into an ordinary, known state.
        t = table[static_cast<size_t>(s) * 128 + b];
        ++i;
        if (t >= 0) {
          s = t;
          continue;
        }
        t = t == kUnknown ? step(s, b) : flag(t);
      } else if (b == '/') {
        if (parents) {
          // A match so far is a match of this parent too.
          for (size_t w = 0, nw = words(); w < nw; ++w) parents[w] |= file[w];
          if (states[s].end >= 0) or_bits(parents, states[s].end);
          if (stop && any(parents)) {
            *stop = i;
            return;
          }
        }
        t = table[static_cast<size_t>(s) * 128 + b];
        ++i;
        t = t >= 0 ? t : t == kUnknown ? step(s, b) : flag(t);
      } else {
        auto [c, w] = decode_rune(text.substr(i));
        i += w;
        auto it = wide.find((static_cast<uint64_t>(s) << 21) | c);
        t = it != wide.end() ? it->second : step(s, c);
      }
      s = t;
      const State& st = states[s];
      if (st.now >= 0) or_bits(file, st.now);
      if (st.count == 0) return matched_before_a_slash(text, i, file, parents, stop);
    }
    if (states[s].end >= 0) or_bits(file, states[s].end);
  }

  // ---- matching: NFA simulation with full context, for \b and \B ----

  void match_nfa(std::string_view text, uint64_t* file, uint64_t* parents, size_t* stop) const {
    const size_t nw = words();
    std::vector<uint32_t> seeds(starts), list, ends;
    auto set_bit = [](uint64_t* b, uint32_t m) { b[m / 64] |= uint64_t{1} << (m % 64); };
    Context ctx;
    ctx.defer_end = false;
    size_t i = 0;
    while (true) {
      ctx.begin = i == 0;
      ctx.end = i == text.size();
      ctx.has_next = !ctx.end;
      char32_t c = 0;
      size_t width = 0;
      if (ctx.has_next) {
        auto d = decode_rune(text.substr(i));
        c = d.first;
        width = d.second;
        ctx.next = c;
      }
      new_generation();
      list.clear();
      for (uint32_t s : seeds) closure(list, s, ctx);
      for (uint32_t p : list)
        if (insts[p].op == Op::kMatch) set_bit(file, insts[p].arg);
      if (ctx.end) return;
      if (parents && c == '/') {
        // The prefix ending here, judged as a text of its own.
        Context pc = ctx;
        pc.end = true;
        pc.has_next = false;
        new_generation();
        ends.clear();
        for (uint32_t s : seeds) closure(ends, s, pc);
        for (uint32_t p : ends)
          if (insts[p].op == Op::kMatch) set_bit(parents, insts[p].arg);
        for (size_t w = 0; w < nw; ++w) parents[w] |= file[w];
        if (stop && any(parents)) {
          *stop = i;
          return;
        }
      }
      seeds.clear();
      for (uint32_t p : list)
        if (consumes(insts[p], c)) seeds.push_back(insts[p].out);
      if (seeds.empty()) {
        size_t slash = parents ? text.find('/', i + width) : std::string_view::npos;
        if (slash != std::string_view::npos) {
          for (size_t w = 0; w < nw; ++w) parents[w] |= file[w];
          if (stop && any(parents)) *stop = slash;
        }
        return;
      }
      ctx.prev = c;
      ctx.has_prev = true;
      i += width;
    }
  }
};

RegexSet::RegexSet() : impl_(std::make_unique<Impl>()) {}
RegexSet::~RegexSet() = default;
RegexSet::RegexSet(RegexSet&&) noexcept = default;
RegexSet& RegexSet::operator=(RegexSet&&) noexcept = default;

bool RegexSet::add(std::string_view expr, std::string* error) {
  std::vector<RuneSet> sets;
  std::vector<Node> nodes;
  const int root = regex_syntax::parse(expr, nodes, sets, error);
  if (root < 0) return false;
  Impl& m = *impl_;
  int base = static_cast<int>(m.sets.size());
  for (RuneSet& s : sets) m.sets.push_back(std::move(s));
  m.finish_member(m.compile(nodes, base, root));
  return true;
}

void RegexSet::add_literal(Literal kind, std::string_view literal) {
  Impl& m = *impl_;
  auto runes = [&](std::string_view s) {
    Impl::Piece p;
    for (size_t i = 0; i < s.size();) {
      auto [r, n] = decode_rune(s.substr(i));
      p = m.seq(std::move(p), m.rune(r));
      i += n;
    }
    return p;
  };
  Impl::Piece p;
  switch (kind) {
    case Literal::kExact:
      p = m.seq(m.seq(m.single({Op::kBegin}), runes(literal)), m.single({Op::kEnd}));
      break;
    case Literal::kPrefix:
      p = m.seq(m.single({Op::kBegin}), runes(literal));
      break;
    case Literal::kSuffix:
      // Not anchored, so finish_member lets it start anywhere.
      p = m.seq(runes(literal), m.single({Op::kEnd}));
      if (!literal.empty() && literal[0] == '/') {
        p = m.alt(std::move(p), m.seq(m.seq(m.single({Op::kBegin}), runes(literal.substr(1))), m.single({Op::kEnd})));
      }
      break;
  }
  m.finish_member(std::move(p));
}

void RegexSet::add_never() { impl_->finish_member(impl_->single({Op::kRunes, 0, 0, impl_->empty_set()})); }

void RegexSet::limit_cache(size_t states, size_t instructions) {
  impl_->max_states = std::max<size_t>(states, 16);
  impl_->max_pool = std::max<size_t>(instructions, 1024);
  impl_->reset_cache();
}

size_t RegexSet::size() const { return impl_->members; }
bool RegexSet::needs_context() const { return impl_->context; }
size_t RegexSet::dfa_states() const { return impl_->states.size(); }
size_t RegexSet::instructions() const { return impl_->insts.size(); }

void RegexSet::match(std::string_view text, uint64_t* file, uint64_t* parents) const {
  if (impl_->members == 0) return;
  if (impl_->context) {
    impl_->match_nfa(text, file, parents, nullptr);
  } else {
    impl_->match_dfa(text, file, parents, nullptr);
  }
}

std::unique_ptr<Regex> Regex::compile(std::string_view expr, std::string* error) {
  auto re = std::unique_ptr<Regex>(new Regex());
  if (!re->set_.add(expr, error)) return nullptr;
  return re;
}

bool Regex::search(std::string_view text) const {
  uint64_t file = 0;
  set_.match(text, &file, nullptr);
  return file & 1;
}

bool Regex::search_parents(std::string_view text) const {
  uint64_t file = 0, parents = 0;
  set_.match(text, &file, &parents);
  return parents & 1;
}

size_t Regex::first_parent(std::string_view text) const {
  uint64_t file = 0, parents = 0;
  size_t stop = std::string_view::npos;
  const RegexSet::Impl& m = *set_.impl_;
  if (m.context) {
    m.match_nfa(text, &file, &parents, &stop);
  } else {
    m.match_dfa(text, &file, &parents, &stop);
  }
  return stop;
}

}  // namespace ctxpack
