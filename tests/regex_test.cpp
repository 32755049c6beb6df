// The regular-expression engine: Go's regexp syntax as Docker's patterns
// reach it, Go's matching rules, and the bounds that keep it linear.
#include "ctxpack/rules/regex.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace ctxpack {
namespace {

using ::testing::HasSubstr;

// 1: matches somewhere (Go's MatchString), 0: does not, -1: Go rejects it.
int search(const std::string& expr, const std::string& text) {
  std::string error;
  std::unique_ptr<Regex> re = Regex::compile(expr, &error);
  if (!re) return -1;
  return re->search(text);
}

std::string compile_error(const std::string& expr) {
  std::string error;
  return Regex::compile(expr, &error) ? "" : error;
}

TEST(Regex, SearchesUnlessAnchored) {
  EXPECT_EQ(search("b", "abc"), 1);
  EXPECT_EQ(search("^b", "abc"), 0);
  EXPECT_EQ(search("b$", "abc"), 0);
  EXPECT_EQ(search("c$", "abc"), 1);
  EXPECT_EQ(search("^abc$", "abc"), 1);
  // ^ and $ are text anchors only (Go's OneLine): no line semantics.
  EXPECT_EQ(search("^b", "a\nb"), 0);
  EXPECT_EQ(search("a$", "a\nb"), 0);
  EXPECT_EQ(search("^\\Aa\\z$", "a"), 1);
}

TEST(Regex, AlternationAndGroups) {
  EXPECT_EQ(search("^a|b$", "axx"), 1);
  EXPECT_EQ(search("^a|b$", "xxb"), 1);
  EXPECT_EQ(search("^a|b$", "xbx"), 0);
  EXPECT_EQ(search("^(ab|cd)+$", "abcdab"), 1);
  EXPECT_EQ(search("^(ab|cd)+$", "abc"), 0);
  EXPECT_EQ(search("^x(|y)z$", "xz"), 1);
  EXPECT_EQ(search("^(.*/)?b$", "a/b"), 1);
  EXPECT_EQ(search("^(.*/)?b$", "b"), 1);
  EXPECT_EQ(search("^|", "anything"), 1);
}

TEST(Regex, CountedRepetition) {
  EXPECT_EQ(search("^x{2}$", "xx"), 1);
  EXPECT_EQ(search("^x{2}$", "xxx"), 0);
  EXPECT_EQ(search("^x{2,}$", "xxxxx"), 1);
  EXPECT_EQ(search("^x{2,}$", "x"), 0);
  EXPECT_EQ(search("^x{1,3}$", "xxx"), 1);
  EXPECT_EQ(search("^x{1,3}$", "xxxx"), 0);
  EXPECT_EQ(search("^x{0}y$", "y"), 1);
  EXPECT_EQ(search("^[ab]{3}$", "aba"), 1);
  // A '{' that does not start a valid repetition is a literal.
  EXPECT_EQ(search("^a{$", "a{"), 1);
  EXPECT_EQ(search("^a{,2}$", "a{,2}"), 1);
  EXPECT_EQ(search("^a{x}$", "a{x}"), 1);
  EXPECT_EQ(search("^x{01}$", "x{01}"), 1);  // no leading zeros
  EXPECT_EQ(search("^a}$", "a}"), 1);
  EXPECT_THAT(compile_error("a{1001}"), HasSubstr("repeat count"));
  EXPECT_THAT(compile_error("a{2,1}"), HasSubstr("repeat count"));
  EXPECT_THAT(compile_error("a{99999999999}"), HasSubstr("repeat count"));
}

TEST(Regex, RepetitionAppliesToWhatWasParsedLast) {
  // Go allows repeating an empty-width assertion.
  EXPECT_EQ(search("^*a", "a"), 1);
  EXPECT_EQ(search("^a$*", "a"), 1);
  // An empty \Q\E leaves the previous piece to be repeated.
  EXPECT_EQ(search("^a\\Q\\E{2}$", "aa"), 1);
  EXPECT_EQ(search("^\\Qab\\E{2}$", "abb"), 1);
  EXPECT_THAT(compile_error("a**"), HasSubstr("nested repetition"));
  EXPECT_THAT(compile_error("a*?*"), HasSubstr("nested repetition"));
  EXPECT_THAT(compile_error("a{2}{3}"), HasSubstr("nested repetition"));
  EXPECT_THAT(compile_error("*a"), HasSubstr("missing argument"));
  EXPECT_THAT(compile_error("a|*"), HasSubstr("missing argument"));
  EXPECT_THAT(compile_error("(*)"), HasSubstr("missing argument"));
  EXPECT_EQ(search("^a*?b$", "aab"), 1);  // non-greedy: the same language
}

TEST(Regex, ParenthesesMustBalance) {
  EXPECT_THAT(compile_error("(a"), HasSubstr("missing closing )"));
  EXPECT_THAT(compile_error("a)"), HasSubstr("unexpected )"));
  EXPECT_THAT(compile_error("(a|b))"), HasSubstr("unexpected )"));
}

TEST(Regex, DotSkipsNewlinesNegatedClassesDoNot) {
  EXPECT_EQ(search("^a.b$", "a\nb"), 0);
  EXPECT_EQ(search("^a[^/]b$", "a\nb"), 1);
  EXPECT_EQ(search("^a[^/]b$", "a/b"), 0);
}

TEST(Regex, Classes) {
  EXPECT_EQ(search("^[]a]$", "]"), 1);
  EXPECT_EQ(search("^[^]a]$", "b"), 1);
  EXPECT_EQ(search("^[a-]$", "-"), 1);
  EXPECT_EQ(search("^[-a]$", "-"), 1);
  EXPECT_EQ(search("^[a-c-e]$", "-"), 1);
  EXPECT_EQ(search("^[[:alpha:][:digit:]]+$", "a1"), 1);
  EXPECT_EQ(search("^[[:^alpha:]]$", "1"), 1);
  EXPECT_EQ(search("^[[:^alpha:]]$", "a"), 0);
  EXPECT_EQ(search("^[\\d\\-]+$", "1-2"), 1);
  EXPECT_EQ(search("^[\\x41-\\x43]$", "B"), 1);
  EXPECT_EQ(search("^[^\\x00-\\x{10FFFF}]$", "a"), 0);
  EXPECT_EQ(search("^[α-ω]$", "λ"), 1);
  // Go looks for ":]" anywhere further on, past the class's own ']'.
  EXPECT_THAT(compile_error("[[:foo:]]"), HasSubstr("character class range"));
  EXPECT_THAT(compile_error("[z-a]"), HasSubstr("character class range"));
  EXPECT_THAT(compile_error("[a"), HasSubstr("missing closing ]"));
  EXPECT_THAT(compile_error("[\\b]"), HasSubstr("escape"));
}

TEST(Regex, PerlClassesAreAscii) {
  EXPECT_EQ(search("^\\d$", "7"), 1);
  EXPECT_EQ(search("^\\d$", "\xD9\xA7"), 0);  // Arabic-Indic seven
  EXPECT_EQ(search("^\\s$", "\t"), 1);
  EXPECT_EQ(search("^\\s$", "\v"), 0);  // Go's \s has no \v
  EXPECT_EQ(search("^\\w+$", "a_1"), 1);
  EXPECT_EQ(search("^\\W$", "-"), 1);
  EXPECT_EQ(search("^\\D\\S$", "a-"), 1);
}

TEST(Regex, Escapes) {
  EXPECT_EQ(search("^\\x41\\x{263a}\\101\\0$", std::string("A\xE2\x98\xBA"
                                                           "A\0",
                                                           6)),
            1);
  EXPECT_EQ(search("^\\a\\f\\t\\n\\r\\v$", "\a\f\t\n\r\v"), 1);
  EXPECT_EQ(search("^\\.\\*\\_$", ".*_"), 1);
  for (const char* bad : {"\\y", "\\8", "\\1", "\\x", "\\x4", "\\x{}", "\\x{110000}", "\\C", "\\u0041", "a\\"}) {
    EXPECT_NE(compile_error(bad), "") << bad;
  }
}

TEST(Regex, QuoteRunsToEOrTheEnd) {
  EXPECT_EQ(search("^\\Qa.b\\E.$", "a.bx"), 1);
  EXPECT_EQ(search("^\\Qa.b\\E.$", "axbx"), 0);
  EXPECT_EQ(search("^\\Qa*$", "a*$"), 1);
  EXPECT_EQ(search("^\\Qa*$", "a"), 0);
}

TEST(Regex, WordBoundariesAreAscii) {
  EXPECT_EQ(search("a\\b", "a"), 1);
  EXPECT_EQ(search("a\\b", "ab"), 0);
  EXPECT_EQ(search("a\\B", "ab"), 1);
  EXPECT_EQ(search("\\bé", "é"), 0);  // 'é' is no word character to Go
  EXPECT_EQ(search("^x\\b\\.y$", "x.y"), 1);
}

TEST(Regex, InvalidUtf8InTheTextReadsAsReplacementCharacters) {
  EXPECT_EQ(search("^\\x{FFFD}$", "\xff"), 1);
  EXPECT_EQ(search("^.$", "\xff"), 1);
  // Each byte of a truncated sequence is a rune of its own, as in Go.
  EXPECT_EQ(search("^..$", "\xE2\x82"), 1);
  EXPECT_EQ(search("^.$", "\xE2\x82"), 0);
  // An invalid expression is an error, as in Go.
  EXPECT_THAT(compile_error("a\xff"), HasSubstr("UTF-8"));
}

TEST(Regex, UnicodeClassesAreNotSupported) {
  // A documented deviation: Go accepts these.
  EXPECT_THAT(compile_error("\\pL"), HasSubstr("Unicode class"));
  EXPECT_THAT(compile_error("[\\p{Greek}]"), HasSubstr("Unicode class"));
}

TEST(Regex, ParentsAreThePrefixesBeforeEachSlash) {
  std::string error;
  auto re = Regex::compile("^a/b$", &error);
  EXPECT_TRUE(re->search_parents("a/b/c"));
  EXPECT_FALSE(re->search_parents("a/b"));
  EXPECT_EQ(re->first_parent("a/b/c/d"), 3u);
  // A match that needs no end carries over to longer parents.
  auto prefix = Regex::compile("^ab", &error);
  EXPECT_TRUE(prefix->search_parents("abc/d"));
  EXPECT_EQ(prefix->first_parent("abc/d/e"), 3u);
  EXPECT_EQ(prefix->first_parent("abc"), std::string_view::npos);
  auto boundary = Regex::compile("^a\\b", &error);
  EXPECT_EQ(boundary->first_parent("a/b"), 1u);
}

TEST(RegexSet, JudgesEveryMemberInOnePass) {
  RegexSet set;
  std::string error;
  ASSERT_TRUE(set.add("^[^/]*\\.log$", &error));
  set.add_literal(RegexSet::Literal::kExact, "docs");
  set.add_literal(RegexSet::Literal::kPrefix, "build/");
  set.add_literal(RegexSet::Literal::kSuffix, "/node_modules");
  set.add_never();
  ASSERT_FALSE(set.add("[", &error));  // rejected, the set unchanged
  ASSERT_EQ(set.size(), 5u);
  auto bits = [&](const std::string& text) {
    uint64_t file = 0, parents = 0;
    set.match(text, &file, &parents);
    return std::make_pair(file, parents);
  };
  EXPECT_EQ(bits("a.log"), std::make_pair(uint64_t{0b00001}, uint64_t{0}));
  EXPECT_EQ(bits("docs/x.log"), std::make_pair(uint64_t{0}, uint64_t{0b00010}));
  EXPECT_EQ(bits("build/a/b"), std::make_pair(uint64_t{0b00100}, uint64_t{0b00100}));
  EXPECT_EQ(bits("node_modules"), std::make_pair(uint64_t{0b01000}, uint64_t{0}));
  EXPECT_EQ(bits("a/node_modules/x"), std::make_pair(uint64_t{0}, uint64_t{0b01000}));
  EXPECT_EQ(bits("xnode_modules"), std::make_pair(uint64_t{0}, uint64_t{0}));
}

TEST(RegexSet, LiteralsCompareBytesEvenWithUnicode) {
  RegexSet set;
  set.add_literal(RegexSet::Literal::kSuffix, "日本");
  uint64_t file = 0;
  set.match("a/日本", &file, nullptr);
  EXPECT_EQ(file, 1u);
  file = 0;
  set.match("日本x", &file, nullptr);
  EXPECT_EQ(file, 0u);
}

TEST(RegexSet, StaysLinearOnInputsThatMakeBacktrackersExplode) {
  std::string error;
  // (a|aa)* against a long run of a's with no final match: exponential for
  // a backtracker, one pass here.
  EXPECT_EQ(search("^(a|aa)*$", std::string(100000, 'a') + "b"), 0);
  EXPECT_EQ(search("^(a*)*b$", std::string(100000, 'a')), 0);
  std::string stars = "^";
  for (int i = 0; i < 3000; ++i) stars += "[^/]*";
  stars += "b$";
  EXPECT_EQ(search(stars, std::string(20000, 'a')), 0);
  EXPECT_EQ(search(stars, std::string(20000, 'a') + "b"), 1);
}

TEST(RegexSet, DfaMemoryStaysWithinItsBudget) {
  // Thousands of suffixes make a huge Aho-Corasick-like DFA; the cache must
  // start over rather than grow, and answers must not change when it does.
  RegexSet set;
  std::vector<std::string> names;
  for (int i = 0; i < 3000; ++i) {
    names.push_back("n" + std::to_string(i * 7919 % 100003) + "x");
    set.add_literal(RegexSet::Literal::kSuffix, "/" + names.back());
  }
  std::string text;
  for (int i = 0; i < 400; ++i) text += "/" + std::to_string(i * 31337 % 99991) + "x";
  text += "/" + names[1234];
  std::vector<uint64_t> file(set.words()), parents(set.words());
  for (int round = 0; round < 3; ++round) {
    std::fill(file.begin(), file.end(), 0);
    set.match(text, file.data(), parents.data());
    size_t hits = 0;
    for (uint64_t w : file) hits += static_cast<size_t>(__builtin_popcountll(w));
    EXPECT_EQ(hits, 1u);
    EXPECT_TRUE((file[1234 / 64] >> (1234 % 64)) & 1);
    EXPECT_LE(set.dfa_states(), 10000u);
  }
}

}  // namespace
}  // namespace ctxpack
