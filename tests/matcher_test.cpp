// The matcher against Docker's patternmatcher, rule by rule (research notes
// §3-§5), plus the recorded vectors of Docker's and balena's test suites
// (testdata/vectors, §12). tests/conformance compares generated cases with
// Docker's own code; these pin down every documented behaviour by name.
#include "ctxpack/rules/matcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "ctxpack/support/error.h"
#include "ctxpack/rules/ignore_file.h"
#include "ctxpack/support/path.h"

namespace ctxpack {
namespace {

using ::testing::HasSubstr;

// Rules as Docker's New receives them (no ReadAll processing).
std::vector<Rule> raw_rules(const std::vector<std::string>& patterns) {
  std::vector<Rule> rules;
  for (size_t i = 0; i < patterns.size(); ++i) rules.push_back(Rule{patterns[i], "rules", i + 1, patterns[i]});
  return rules;
}

Matcher rules(const std::vector<std::string>& patterns) { return Matcher(raw_rules(patterns)); }

std::string outcome(const std::function<Verdict()>& f) {
  try {
    return f().excluded ? "match" : "nomatch";
  } catch (const PatternError&) {
    return "error";
  }
}

std::string mopm(const Matcher& m, std::string_view path) {
  return outcome([&] { return m.matches_or_parents(path); });
}

std::string one_parent(const Matcher& m, std::string_view path) {
  return outcome([&] { return m.matches_one_parent(path); });
}

// MatchesUsingParentResults on each ancestor in turn, as a walk does.
Verdict walk_verdict(const Matcher& m, std::string_view path) {
  Matcher::Trail trails[2];
  const Matcher::Trail* parent = nullptr;
  for (size_t end = 0, k = 0;; ++k) {
    end = path.find('/', end + (k ? 1 : 0));
    Matcher::Trail* out = &trails[k % 2];
    Verdict v = m.matches_with_parent(path.substr(0, end), parent, out);
    if (end == std::string_view::npos) return v;
    parent = out;
  }
}

std::string walk(const Matcher& m, std::string_view path) {
  return outcome([&] { return walk_verdict(m, path); });
}

std::string mopm(const std::vector<std::string>& p, std::string_view path) { return mopm(rules(p), path); }

// Pattern-level: does `pattern` (already cleaned, as New stores it) match?
int pm(const std::string& pattern, std::string_view path) { return Pattern(pattern).match(path); }

std::string construction_error(const std::vector<std::string>& p) {
  try {
    rules(p);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// ---- §3.1 New ----------------------------------------------------------------

TEST(MatcherNew, TrimsCleansAndSkipsBlankPatterns) {
  Matcher m = rules({"  ", "", "docs/ ", "\t./a//b"});
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.pattern(0).text(), "docs");
  EXPECT_EQ(m.pattern(1).text(), "a/b");
  // Indices of rules survive the dropped blanks.
  EXPECT_EQ(m.rule(0).line, 3u);
  EXPECT_EQ(mopm(m, "docs"), "match");
}

TEST(MatcherNew, KeepsALeadingSlashWhichThenNeverMatches) {
  // Only the reader drops it; patterns handed to New keep it.
  EXPECT_EQ(mopm({"/foo"}, "foo"), "nomatch");
  EXPECT_EQ(mopm({"/"}, "foo"), "nomatch");
}

TEST(MatcherNew, LoneExclamationMarkIsAnError) {
  EXPECT_THAT(construction_error({"a", "!"}), HasSubstr("rules:2: illegal exclusion pattern"));
  // "!/" cleans to "!" in New.
  EXPECT_THAT(construction_error({"!/"}), HasSubstr("illegal exclusion pattern"));
  // Through the reader too: "! " becomes "!".
  EXPECT_THROW(Matcher(parse_ignore_file("a\n! \n", ".dockerignore").rules), Error);
}

TEST(MatcherNew, DoesNotTrimAfterTheExclamationMark) {
  // New keeps " foo" as the exception pattern (the reader would not).
  Matcher m = rules({"*", "! foo"});
  EXPECT_EQ(mopm(m, " foo"), "nomatch");
  EXPECT_EQ(mopm(m, "foo"), "match");
}

TEST(MatcherNew, RejectsWhatGoFilepathMatchRejectsInTheFirstChunk) {
  for (const char* bad : {"[", "[^", "[^bc", "a[", "[]a]", "[-]", "[x-]", "[-x]", "[a-b-c]", "[a-]", "a[]", "[^]a]",
                          "\\", "a\\", "!*[", "x/[", "[\\"}) {
    EXPECT_THAT(construction_error({"ok", bad}), HasSubstr("rules:2: syntax error in pattern")) << bad;
  }
}

TEST(MatcherNew, LeavesLaterChunksToFailWhenEvaluated) {
  // filepath.Match stops at the first chunk that does not match ".".
  for (const char* lazy : {"a*[", "x/*[", "[z-a]", "[Local-Only]", "a\\y", "a*[z-a]"}) {
    EXPECT_EQ(construction_error({lazy}), "") << lazy;
    Matcher m = rules({lazy});
    EXPECT_EQ(mopm(m, "x"), "error") << lazy;
    EXPECT_TRUE(m.has_invalid_patterns()) << lazy;
  }
}

TEST(MatcherNew, GoFilepathMatchItself) {
  EXPECT_EQ(go_filepath_match("*.go", "a.go"), 1);
  EXPECT_EQ(go_filepath_match("*", "a/b"), 0);
  EXPECT_EQ(go_filepath_match("a?c", "abc"), 1);
  EXPECT_EQ(go_filepath_match("[^a]", "b"), 1);
  EXPECT_EQ(go_filepath_match("[!a]", "b"), 0);   // '!' is no negation in Go
  EXPECT_EQ(go_filepath_match("a*b*[", "."), 0);  // not reached
  EXPECT_EQ(go_filepath_match("[a-", "."), -1);
}

// ---- §3.2-3.3 translation and match types -----------------------------------------

TEST(MatcherTypes, LiteralPatternsCompareExactly) {
  Pattern p("abc.def");
  EXPECT_EQ(p.kind(), Pattern::Kind::kExact);
  EXPECT_EQ(p.regex_source(), "");
  EXPECT_EQ(p.match("abc.def"), 1);
  EXPECT_EQ(p.match("abcxdef"), 0);
  // Regex metacharacters in an exact pattern are plain bytes.
  EXPECT_EQ(pm("a.|)$(}+{bc", "a.|)$(}+{bc"), 1);
  EXPECT_EQ(pm("a^b", "a^b"), 1);
}

TEST(MatcherTypes, TrailingDoubleStarOnALiteralIsAPrefixTest) {
  Pattern p("dir/**");
  EXPECT_EQ(p.kind(), Pattern::Kind::kPrefix);
  EXPECT_EQ(p.match("dir/x"), 1);
  EXPECT_EQ(p.match("dir/x/y"), 1);
  EXPECT_EQ(p.match("dir"), 0);
  EXPECT_EQ(pm("foo**", "foo"), 1);
  EXPECT_EQ(pm("foo**", "foobar"), 1);
  EXPECT_EQ(pm("foo**", "foo/x"), 1);
}

TEST(MatcherTypes, LeadingDoubleStarOnALiteralIsAPlainSuffixTest) {
  Pattern p("**/foo");
  EXPECT_EQ(p.kind(), Pattern::Kind::kSuffix);
  EXPECT_EQ(p.match("foo"), 1);
  EXPECT_EQ(p.match("a/b/foo"), 1);
  EXPECT_EQ(p.match("afoo"), 0);
  // The suffix quirk: without the '/', it is a string suffix that crosses
  // directory boundaries and partial names (moby 20.10 said no to these).
  EXPECT_EQ(pm("**foo", "xfoo"), 1);
  EXPECT_EQ(pm("**foo", "dir/xfoo"), 1);
  EXPECT_EQ(pm("**.txt", "a.txt"), 1);
  EXPECT_EQ(pm("**.txt", "d/a.txt"), 1);
  EXPECT_EQ(pm("**", ""), 1);
  EXPECT_EQ(pm("**", "any/thing"), 1);
}

TEST(MatcherTypes, WildcardsAfterALeadingDoubleStarMakeARegex) {
  Pattern p("**/*.go");
  EXPECT_EQ(p.kind(), Pattern::Kind::kRegex);
  EXPECT_EQ(p.regex_source(), "^(.*/)?[^/]*\\.go$");
  EXPECT_EQ(p.match("a/b.go"), 1);
  EXPECT_EQ(pm("**/**", "x/y"), 1);
  EXPECT_EQ(Pattern("**/**").regex_source(), "^(.*/)?.*$");
}

TEST(MatcherTypes, ByteOrderMarkAtThePatternStartIsSkippedOnlyForRegexes) {
  // Go's text/scanner drops a leading U+FEFF; an exact pattern compares bytes.
  EXPECT_EQ(pm("\xEF\xBB\xBF"
               "ba*",
               "bar"),
            1);
  EXPECT_EQ(pm("\xEF\xBB\xBF"
               "ab",
               "ab"),
            0);
  EXPECT_EQ(pm("\xEF\xBB\xBF"
               "ab",
               "\xEF\xBB\xBF"
               "ab"),
            1);
}

TEST(MatcherTypes, InvalidUtf8ReadsAsReplacementCharacterInRegexes) {
  EXPECT_EQ(pm("\xff"
               "ab*",
               "\xff"
               "abc"),
            1);
  EXPECT_EQ(pm("\xff"
               "ab*",
               "\xEF\xBF\xBD"
               "abc"),
            1);
  // In an exact pattern it is just a byte.
  EXPECT_EQ(pm("\xff"
               "ab",
               "\xEF\xBF\xBD"
               "ab"),
            0);
  // A NUL is a character like any other.
  EXPECT_EQ(pm(std::string("a\0*", 3), std::string("a\0b", 3)), 1);
}

// ---- §3.4 glob semantics ------------------------------------------------------------

TEST(MatcherGlobs, StarStaysWithinOneComponentAndMatchesDots) {
  EXPECT_EQ(pm("a*", "abc"), 1);
  EXPECT_EQ(pm("a*", "a"), 1);
  EXPECT_EQ(pm("a*", "a/b"), 0);
  EXPECT_EQ(pm("*", ".hidden"), 1);
  EXPECT_EQ(pm(".*", ".foo"), 1);
  EXPECT_EQ(pm(".*", "xfoo"), 0);  // the dot is literal
  EXPECT_EQ(pm("*.go", "d/a.go"), 0);
}

TEST(MatcherGlobs, QuestionMarkIsOneRuneButNotASlash) {
  EXPECT_EQ(pm("a?b",
               "a\xE2\x98\xBA"
               "b"),
            1);  // a☺b
  EXPECT_EQ(pm("a?b", "axb"), 1);
  EXPECT_EQ(pm("a?b", "a/b"), 0);
  EXPECT_EQ(pm("a?b", "ab"), 0);
}

TEST(MatcherGlobs, DoubleStarSpansWholeComponentsOnly) {
  EXPECT_EQ(pm("a**b", "ab"), 1);
  EXPECT_EQ(pm("a**b", "ax/b"), 1);
  EXPECT_EQ(pm("a**b", "a/x/b"), 1);
  EXPECT_EQ(pm("a**b", "axb"), 0);
  EXPECT_EQ(pm("a/**/b", "a/b"), 1);
  EXPECT_EQ(pm("a/**/b", "a/x/y/b"), 1);
  EXPECT_EQ(pm("a/**b", "a/b"), 1);
  EXPECT_EQ(pm("a/**b", "a/x/b"), 1);
  EXPECT_EQ(pm("a/**b", "a/xb"), 0);
  // "(.*/)?" uses '.', which does not match a newline.
  EXPECT_EQ(pm("a/**/b*", "a/x\ny/bc"), 0);
}

TEST(MatcherGlobs, ClassesPassThroughToRe2) {
  EXPECT_EQ(pm("a[b-d]e", "ace"), 1);
  EXPECT_EQ(pm("a[b-d]e", "aee"), 0);
  // [^...] is negation and, unlike '*' and '?', can match '/'.
  EXPECT_EQ(pm("a[^b]c", "a/c"), 1);
  EXPECT_EQ(pm("a[^b]c", "abc"), 0);
  EXPECT_EQ(mopm({"a[^b]c"}, "a/c"), "match");
  // [!...] is no negation: '!' is a member.
  EXPECT_EQ(pm("[!x]", "!"), 1);
  EXPECT_EQ(pm("[!x]", "x"), 1);
  EXPECT_EQ(pm("[!x]", "y"), 0);
  // '*' inside a class is expanded: [*] becomes ^[[^/]*]$.
  EXPECT_EQ(Pattern("[*]").regex_source(), "^[[^/]*]$");
  EXPECT_EQ(pm("[*]", "[]"), 1);
  EXPECT_EQ(pm("[*]", "*"), 0);
  EXPECT_EQ(pm("[[:alpha:]]", "a"), 1);
  EXPECT_EQ(pm("[[:alpha:]]", "1"), 0);
  // Ranges are by rune.
  EXPECT_EQ(pm("[a-\xCE\xB6]", "\xCE\xB1"), 1);  // [a-ζ] matches α
  EXPECT_EQ(pm("[\\]]", "]"), 1);
  EXPECT_EQ(pm("[\\-]", "-"), 1);
}

TEST(MatcherGlobs, ReversedRangesPassNewAndFailWhenEvaluated) {
  EXPECT_EQ(Pattern("[z-a]").kind(), Pattern::Kind::kInvalid);
  EXPECT_EQ(pm("[z-a]", "b"), -1);
  // moby#52203: the pattern that crashed daemons.
  EXPECT_EQ(mopm({"[Local-Only]"}, "L"), "error");
}

TEST(MatcherGlobs, BackslashEscapesPunctuation) {
  EXPECT_EQ(pm("a\\*", "a*"), 1);
  EXPECT_EQ(pm("a\\*", "ab"), 0);
  EXPECT_EQ(pm("\\[x\\]", "[x]"), 1);
  EXPECT_EQ(pm("\\#x", "#x"), 1);
  EXPECT_EQ(pm("a\\.b", "a.b"), 1);
  EXPECT_EQ(pm("a\\.b", "axb"), 0);
}

TEST(MatcherGlobs, BackslashLettersAreRe2Escapes) {
  EXPECT_EQ(pm("a\\d", "a1"), 1);
  EXPECT_EQ(pm("a\\d", "ad"), 0);
  EXPECT_EQ(pm("a\\w", "ax"), 1);
  EXPECT_EQ(pm("a\\s", "a "), 1);
  EXPECT_EQ(pm("a\\x41", "aA"), 1);
  EXPECT_EQ(pm("a\\x{263a}", "a\xE2\x98\xBA"), 1);
  EXPECT_EQ(pm("a\\101", "aA"), 1);
  // \b is a word boundary (Go's, ASCII): there is one between "a" and the
  // end of the text, none between "x" and "b".
  EXPECT_EQ(pm("a\\b", "a"), 1);
  EXPECT_EQ(pm("a\\b", "ab"), 0);
  EXPECT_EQ(pm("x\\bb", "xb"), 0);
  EXPECT_EQ(pm("*\\b.*", "a.b"), 1);
  // \Q quotes the rest, the appended '$' included.
  EXPECT_EQ(pm("\\Qab", "ab$"), 1);
  EXPECT_EQ(pm("\\Qab", "ab"), 0);
  // The "*" is translated before RE2 sees it, then quoted.
  EXPECT_EQ(pm("\\Qa*", "a[^/]*$"), 1);
  // Unknown escapes fail when evaluated.
  EXPECT_EQ(pm("a\\y", "ay"), -1);
  EXPECT_EQ(pm("a\\C", "a"), -1);
}

TEST(MatcherGlobs, TrailingBackslashAfterAWildcardEscapesTheDollar) {
  EXPECT_EQ(Pattern("a*\\").regex_source(), "^a[^/]*\\$");
  EXPECT_EQ(pm("a*\\", "ab$"), 1);
  EXPECT_EQ(pm("a*\\", "ab"), 0);
  EXPECT_EQ(construction_error({"a*\\"}), "");
}

TEST(MatcherGlobs, DockerEscapesOnlySomeMetacharacters) {
  EXPECT_EQ(pm("a+b*", "a+bc"), 1);
  EXPECT_EQ(pm("a+b*", "aabc"), 0);
  EXPECT_EQ(pm("(x)*", "(x)y"), 1);
  EXPECT_EQ(pm("$z*", "$zz"), 1);
  // Docker's escape bitmap loses '|', '{' and '}': in a regex-type pattern
  // they are RE2 syntax. "*|x" is "^[^/]*|x$", an alternation whose first
  // branch matches every path.
  EXPECT_EQ(Pattern("*|x").regex_source(), "^[^/]*|x$");
  EXPECT_EQ(mopm({"*|x"}, "any/path/at/all"), "match");
  EXPECT_EQ(pm("a*|b", "zzb"), 1);  // "b$" is not anchored at the start
  EXPECT_EQ(pm("a*|b", "zzc"), 0);
  EXPECT_EQ(pm("x{2}*", "xxa"), 1);  // a repetition
  EXPECT_EQ(pm("x{2}*", "x{2}a"), 0);
  EXPECT_EQ(pm("a{*", "a{b"), 1);   // a '{' that repeats nothing is literal
  EXPECT_EQ(pm("a*{2}", "a"), -1);  // "[^/]*{2}": nested repetition
  EXPECT_EQ(pm("x{1001}*", "x"), -1);
  // Without a wildcard the pattern is exact and they are plain bytes.
  EXPECT_EQ(pm("a|b", "a|b"), 1);
  EXPECT_EQ(pm("a|b", "a"), 0);
  EXPECT_EQ(pm("a{2}", "a{2}"), 1);
}

TEST(MatcherGlobs, CaretIsALiveAnchorInRegexes) {
  EXPECT_EQ(pm("a^b*", "a^bc"), 0);
  EXPECT_EQ(pm("^ab*", "abc"), 1);
  EXPECT_EQ(pm("^ab*", "^abc"), 0);
}

TEST(MatcherGlobs, MatchingIsCaseSensitive) {
  EXPECT_EQ(mopm({"Foo"}, "foo"), "nomatch");
  EXPECT_EQ(mopm({"*.MD"}, "a.md"), "nomatch");
}

// ---- §4 the matching functions --------------------------------------------------------

TEST(MatcherFunctions, APatternMatchingADirectoryCoversEverythingBelow) {
  EXPECT_EQ(mopm({"foo"}, "foo/bar/baz"), "match");
  EXPECT_EQ(mopm({"*"}, "a/b"), "match");
  EXPECT_EQ(mopm({"?"}, "a/b"), "match");
  Matcher docs = rules({"docs"});
  Verdict v = docs.matches_or_parents("docs/a/b");
  EXPECT_TRUE(v.excluded);
  EXPECT_EQ(v.rule, &docs.rule(0));
  EXPECT_TRUE(v.via_parent);
  EXPECT_FALSE(rules({"docs"}).matches_or_parents("docs").via_parent);
}

TEST(MatcherFunctions, PatternsAreAnchoredAtTheContextRoot) {
  EXPECT_EQ(mopm({"foo"}, "a/foo"), "nomatch");
  EXPECT_EQ(mopm({"*.go"}, "d/a.go"), "nomatch");
  EXPECT_EQ(mopm({"**/*.go"}, "d/a.go"), "match");
}

TEST(MatcherFunctions, ExceptionsReIncludeSubtrees) {
  Matcher m = rules({"docs", "!docs/README.md"});
  EXPECT_EQ(mopm(m, "docs/README.md"), "nomatch");
  EXPECT_EQ(mopm(m, "docs/other.md"), "match");
  EXPECT_EQ(mopm({"abc", "!abc"}, "abc/a.js"), "nomatch");
  Matcher web = rules({"**", "!util/docker/web"});
  EXPECT_EQ(mopm(web, "util/docker/web/foo"), "nomatch");
  EXPECT_EQ(mopm(web, "util/docker/other"), "match");
  Verdict v = web.matches_or_parents("util/docker/web/foo");
  EXPECT_EQ(v.rule, &web.rule(1));
  EXPECT_TRUE(v.via_parent);
}

TEST(MatcherFunctions, LastMatchWins) {
  EXPECT_EQ(mopm({"*.md", "!README*.md", "README-secret.md"}, "README-secret.md"), "match");
  EXPECT_EQ(mopm({"*.md", "README-secret.md", "!README*.md"}, "README-secret.md"), "nomatch");
  EXPECT_EQ(mopm({"*.md", "!README*.md"}, "README.md"), "nomatch");
  // An exception before any rule changes nothing.
  EXPECT_EQ(mopm({"!a.go", "*.go"}, "a.go"), "match");
}

TEST(MatcherFunctions, DecidingRuleIsTheLastOneDockerEvaluates) {
  // Once excluded, Docker skips further rules, so a repeated rule never
  // decides: the first one does.
  Matcher twice = rules({"a", "a"});
  EXPECT_EQ(twice.matches_or_parents("a").rule, &twice.rule(0));
  Matcher thrice = rules({"a", "!a", "a"});
  Verdict v = thrice.matches_or_parents("a");
  EXPECT_TRUE(v.excluded);
  EXPECT_EQ(v.rule, &thrice.rule(2));
}

TEST(MatcherFunctions, SingleParentMatchesChecksOneAncestorOnly) {
  // The deprecated Matches tries only the ancestor with as many components
  // as the pattern; the CLI still uses it to re-add the Dockerfile.
  Matcher m = rules({"**/foo"});
  EXPECT_EQ(mopm(m, "a/b/foo/x"), "match");
  EXPECT_EQ(one_parent(m, "a/b/foo/x"), "nomatch");
  EXPECT_EQ(one_parent(rules({"**/sub"}), "sub/Dockerfile"), "nomatch");
  EXPECT_EQ(one_parent(rules({"a/b"}), "a/b/c/d"), "match");
  EXPECT_EQ(one_parent(rules({"a"}), "a/b/c/d"), "match");
  EXPECT_TRUE(rules({"a"}).matches_one_parent("a/b").via_parent);
}

TEST(MatcherFunctions, WalkWithoutParentResultsIsMatchesOrParentMatches) {
  Matcher m = rules({"docs", "!docs/README.md", "**/*.log"});
  for (const char* p : {"docs", "docs/README.md", "docs/x/y", "a/b.log", "b.log", "c"}) {
    EXPECT_EQ(outcome([&] { return m.matches_with_parent(p, nullptr, nullptr); }), mopm(m, p)) << p;
  }
}

TEST(MatcherFunctions, WalkResultsCanDisagreeWithMatchesOrParentMatches) {
  // A skipped pattern is recorded as "not matched" for the children, so an
  // exception that matched a parent is forgotten (§4, cache poisoning).
  Matcher m = rules({"foo/bar", "!foo"});
  EXPECT_EQ(mopm(m, "foo/bar"), "nomatch");
  EXPECT_EQ(walk(m, "foo/bar"), "match");
  Matcher logs = rules({"**/*.log", "!keep"});
  EXPECT_EQ(mopm(logs, "keep/x.log"), "nomatch");
  EXPECT_EQ(walk(logs, "keep/x.log"), "match");
  // A pattern the parent matched counts for the child, skip rule or not.
  Matcher kept = rules({"a", "!a/b"});
  EXPECT_EQ(walk(kept, "a/b/c"), "nomatch");
  Verdict v = walk_verdict(kept, "a/b/c");
  EXPECT_EQ(v.rule, &kept.rule(1));
  EXPECT_TRUE(v.via_parent);
}

TEST(MatcherFunctions, PathsThatAreNotCleanAreJudgedAsDockerDoes) {
  // Docker's methods take the path as given; its parents come from
  // filepath.Dir, which cleans.
  Matcher m = rules({"a"});
  EXPECT_EQ(mopm(m, "a/"), "match");  // Dir("a/") is "a"
  EXPECT_EQ(mopm(m, "./a"), "nomatch");
  EXPECT_EQ(mopm(m, "a//b"), "match");
  EXPECT_EQ(mopm(rules({"**"}), "/"), "match");
  EXPECT_EQ(mopm(rules({"x"}), "x/../y"), "nomatch");  // Dir("x/../y") is "."
  EXPECT_EQ(mopm(rules({"b"}), "/a/../b"), "nomatch");
}

TEST(MatcherFunctions, ParentMatchedByNamesTheShortestParent) {
  Matcher m = rules({"**/node_modules", "docs", "a*/b"});
  EXPECT_EQ(m.parent_matched_by(m.rule(0), "x/node_modules/y/node_modules/z"), "x/node_modules");
  EXPECT_EQ(m.parent_matched_by(m.rule(1), "docs/a/b"), "docs");
  EXPECT_EQ(m.parent_matched_by(m.rule(2), "ax/b/c/d"), "ax/b");
  EXPECT_EQ(m.parent_matched_by(m.rule(1), "docs"), "");
  EXPECT_EQ(m.parent_matched_by(m.rule(1), "docs//x"), "docs");
}

// ---- §5 errors ---------------------------------------------------------------------------

TEST(MatcherErrors, ABadPatternFailsOnlyWhenDockerEvaluatesIt) {
  // The exception is evaluated only once "x" is excluded.
  Matcher m = rules({"x", "!a*["});
  EXPECT_EQ(mopm(m, "x"), "error");
  EXPECT_EQ(mopm(m, "y"), "nomatch");
  EXPECT_EQ(walk(m, "x"), "error");
  EXPECT_EQ(walk(m, "y"), "nomatch");
  EXPECT_EQ(one_parent(m, "x"), "error");
  EXPECT_EQ(one_parent(m, "y"), "nomatch");
  // An inclusion after a match is skipped too.
  EXPECT_EQ(mopm({"y", "a*["}, "y"), "match");
  EXPECT_EQ(mopm({"y", "a*["}, "z"), "error");
}

TEST(MatcherErrors, ABadPatternFailsEveryTimeNotJustTheFirst) {
  // patternmatcher 0.5.0 panicked the second time (moby#52203); 0.6.1
  // returns the error each time.
  Matcher m = rules({"*[z-a]"});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(mopm(m, "q"), "error");
}

TEST(MatcherErrors, TheErrorNamesFileLineAndText) {
  Matcher m(parse_ignore_file("ok\n\n  a*[  \n", "ctx/.dockerignore").rules);
  try {
    m.matches_or_parents("b");
    FAIL() << "no error";
  } catch (const PatternError& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("ctx/.dockerignore:3: syntax error in pattern \"  a*[  \""));
    EXPECT_THAT(std::string(e.what()), HasSubstr(":3:")) << "the second rule, on line 3";
  }
}

TEST(MatcherErrors, PatternsThatCanNeverMatch) {
  for (const char* p : {"foo", "a/b", "x", "x/y"}) {
    EXPECT_EQ(mopm({"../x"}, p), "nomatch");
    EXPECT_EQ(mopm({"."}, p), "nomatch");
    EXPECT_EQ(mopm({"./"}, p), "nomatch");
  }
  // "." matches only ".", the context root, which Docker never judges.
  EXPECT_EQ(mopm({"."}, "."), "match");
}

TEST(MatcherErrors, ExpressionsTooLargeForGoAreErrors) {
  // Go refuses expressions that would compile to more than 3.3M
  // instructions; here 3,400 x{1000}.
  std::string big = "*";
  for (int i = 0; i < 3400; ++i) big += "x{1000}";
  EXPECT_EQ(Pattern(big).kind(), Pattern::Kind::kInvalid);
  std::string fine = "*";
  for (int i = 0; i < 3; ++i) fine += "x{1000}";
  EXPECT_EQ(Pattern(fine).kind(), Pattern::Kind::kRegex);
  EXPECT_EQ(Pattern(fine).match("a" + std::string(3000, 'x')), 1);
}

// ---- bounds: hostile ignore files neither hang nor crash ----------------------------------

// Docker's loop over the patterns, on Pattern's own matching: a reference
// for the automaton that judges all patterns at once.
std::string reference_mopm(const Matcher& m, std::string_view path) {
  bool excluded = false;
  for (size_t i = 0; i < m.size(); ++i) {
    if (m.is_exception(i) != excluded) continue;
    int r = m.pattern(i).match(path);
    if (r < 0) return "error";
    if (r == 1 || m.pattern(i).matches_a_parent(path)) excluded = !m.is_exception(i);
  }
  return excluded ? "match" : "nomatch";
}

TEST(MatcherBounds, TenThousandRules) {
  std::string content;
  for (int i = 0; i < 10000; ++i) {
    std::string n = std::to_string(i);
    const char* forms[] = {"dir", "**/name", "src/*", "!keep", "**/*.e"};
    const char* tails[] = {"", "", ".tmp", "/**", ""};
    content += std::string(forms[i % 5]) + n + tails[i % 5] + "\n";
  }
  Matcher m(parse_ignore_file(content, ".dockerignore").rules);
  ASSERT_EQ(m.size(), 10000u);
  std::vector<std::string> paths;
  for (int i = 0; i < 400; ++i) {
    std::string n = std::to_string(i * 37 % 10000);
    paths.push_back("dir" + n + "/x");
    paths.push_back("a/b/name" + n);
    paths.push_back("src/" + n + ".tmp");
    paths.push_back("keep" + n + "/y/z.e" + n);
    paths.push_back("deep/" + n + "/er/path.e" + std::to_string(i));
  }
  size_t excluded = 0;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::string got = mopm(m, paths[i]);
    // The reference tries 10,000 patterns one by one: a sample will do.
    if (i % 4 == 0) {
      ASSERT_EQ(got, reference_mopm(m, paths[i])) << paths[i];
    }
    excluded += got == "match";
  }
  EXPECT_GT(excluded, paths.size() / 10);
  EXPECT_LE(m.dfa_states(), 10000u);
}

TEST(MatcherBounds, ARuleOfThreeThousandStars) {
  for (size_t stars : {3000u, 3001u}) {
    Matcher m = rules({std::string(stars, '*')});
    EXPECT_EQ(mopm(m, std::string(3000, 'a')), "match");
    std::string deep;
    for (int i = 0; i < 1500; ++i) deep += "a/";
    EXPECT_EQ(mopm(m, deep + "b"), "match");
    EXPECT_EQ(walk(m, deep + "b"), "match");
    EXPECT_LE(m.dfa_states(), 10000u);
  }
  // Stars between letters keep many threads alive on a path of the
  // letter; the answer still comes in one pass.
  std::string alternating;
  for (int i = 0; i < 1500; ++i) alternating += "*a";
  Matcher m = rules({alternating + "*b"});
  EXPECT_EQ(mopm(m, std::string(5000, 'a')), "nomatch");
  EXPECT_EQ(mopm(m, std::string(5000, 'a') + "b"), "match");
  EXPECT_EQ(reference_mopm(m, std::string(1600, 'a') + "b"), "match");
  EXPECT_LE(m.dfa_states(), 10000u);
}

TEST(MatcherBounds, LinesAtTheLengthLimit) {
  // The longest line Docker reads, full of wildcards and classes, against
  // a path of PATH_MAX.
  std::string line;
  while (line.size() < 65500) line += "[a-c]*?x{2}|";
  line.resize(65535, 'z');
  IgnoreFile f = parse_ignore_file(line + "\n", ".dockerignore");
  Matcher m(f.rules);
  std::string path(4096, 'b');
  EXPECT_EQ(mopm(m, path), reference_mopm(m, path));
  EXPECT_EQ(mopm(m, "a/" + path), reference_mopm(m, "a/" + path));
  // A 64 KiB literal pattern.
  std::string literal(65535, 'q');
  Matcher lit(parse_ignore_file(literal, ".dockerignore").rules);
  EXPECT_EQ(mopm(lit, literal + "/x"), "match");
  EXPECT_EQ(mopm(lit, literal.substr(1)), "nomatch");
}

// ---- vectors recorded from Docker's and balena's test suites (§12) --------------------------

struct Row {
  std::string patterns, path, expected, function, source;
  size_t line;
};

std::vector<Row> load(const std::string& name) {
  std::ifstream in(std::string(CTXPACK_SOURCE_DIR) + "/testdata/vectors/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);  // header
  for (size_t n = 2; std::getline(in, line); ++n) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '\t')) f.push_back(field);
    while (f.size() < 5) f.emplace_back();
    rows.push_back(Row{f[0], f[1], f[2], f[3], f[4], n});
  }
  return rows;
}

std::vector<std::string> split_patterns(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t sep = s.find(" ;; ", start);
    out.push_back(s.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
    if (sep == std::string::npos) return out;
    start = sep + 4;
  }
}

TEST(MatcherVectors, PatternmatcherTestSuite) {
  std::vector<Row> rows = load("patternmatcher.tsv");
  ASSERT_EQ(rows.size(), 412u);
  size_t checked = 0;
  for (const Row& r : rows) {
    SCOPED_TRACE("patternmatcher.tsv:" + std::to_string(r.line) + " " + r.source);
    if (r.function == "PatternMatcher.MatchesUsingParentResult+walk") {
      // The deprecated single-boolean variant: nothing in Docker has called
      // it since 2021, so ctxpack does not implement it.
      continue;
    }
    ++checked;
    std::unique_ptr<Matcher> m;
    try {
      m = std::make_unique<Matcher>(raw_rules(split_patterns(r.patterns)));
    } catch (const Error&) {
      EXPECT_EQ("error", r.expected) << "New([" << r.patterns << "])";
      continue;
    }
    std::string got;
    if (r.function == "New") {
      got = "ok";
    } else if (r.function == "Matches") {
      // The package-level function: New, then Clean(path); "." never matches.
      std::string path = clean_path(r.path);
      got = path == "." ? "nomatch" : one_parent(*m, path);
    } else if (r.function == "PatternMatcher.Matches") {
      got = one_parent(*m, r.path);
    } else if (r.function == "PatternMatcher.MatchesOrParentMatches") {
      got = mopm(*m, r.path);
    } else if (r.function == "PatternMatcher.MatchesUsingParentResults(MatchInfo{})") {
      got = outcome([&] { return m->matches_with_parent(r.path, nullptr, nullptr); });
    } else if (r.function == "PatternMatcher.MatchesUsingParentResults+walk") {
      got = walk(*m, r.path);
    } else {
      ADD_FAILURE() << "unknown function " << r.function;
    }
    EXPECT_EQ(got, r.expected) << "patterns [" << r.patterns << "] path \"" << r.path << "\" " << r.function;
  }
  EXPECT_EQ(checked, 412u - 68u);
}

TEST(MatcherVectors, PatternmatcherCompileTable) {
  std::vector<Row> rows = load("patternmatcher-compile.tsv");
  ASSERT_EQ(rows.size(), 21u);
  for (const Row& r : rows) {
    // Columns: pattern, matchType, regexp for '/', regexp for '\' (Windows).
    SCOPED_TRACE("patternmatcher-compile.tsv:" + std::to_string(r.line));
    Pattern p(clean_path(r.patterns));
    const char* type = p.kind() == Pattern::Kind::kExact    ? "exactMatch"
                       : p.kind() == Pattern::Kind::kPrefix ? "prefixMatch"
                       : p.kind() == Pattern::Kind::kSuffix ? "suffixMatch"
                                                            : "regexpMatch";
    EXPECT_EQ(type, r.path) << r.patterns;
    EXPECT_EQ(p.regex_source(), r.expected) << r.patterns;
  }
}

// balena's rows that describe Docker: ignore-file lines read as ReadAll
// reads them, judged as MatchesOrParentMatches judges them.
TEST(MatcherVectors, BalenaDockerignoreSuite) {
  std::vector<Row> rows = load("balena-dockerignore.tsv");
  ASSERT_EQ(rows.size(), 376u);
  size_t checked = 0, rejected = 0;
  for (const Row& r : rows) {
    SCOPED_TRACE("balena-dockerignore.tsv:" + std::to_string(r.line) + " " + r.source);
    // Case-insensitive matching is a balena option, not Docker behaviour;
    // balena ignores the empty path, which Docker never judges.
    if (r.function == "ignores(ignorecase=true)" || r.path.empty()) continue;
    std::string content;
    for (const std::string& line : split_patterns(r.patterns)) content += line + "\n";
    IgnoreFile file = parse_ignore_file(content, ".dockerignore");
    if (r.source.find("Trailing spaces with backslashes never match") != std::string::npos) {
      // "a\ " is trimmed to "a\", which Go 1.16+ rejects: Docker fails
      // the build where balena says "never matches".
      EXPECT_THROW(Matcher{file.rules}, Error);
      ++rejected;
      continue;
    }
    Matcher m(file.rules);
    EXPECT_EQ(mopm(m, r.path), r.expected) << "[" << r.patterns << "] path \"" << r.path << "\"";
    ++checked;
  }
  EXPECT_EQ(rejected, 9u);
  EXPECT_EQ(checked, 376u - 5u - 1u - 9u);
}

}  // namespace
}  // namespace ctxpack
