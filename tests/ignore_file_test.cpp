// The .dockerignore reader, rule by rule as Docker's ReadAll behaves
// (research notes §2): what becomes a pattern, what is dropped, what fails.
#include "ctxpack/rules/ignore_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "cli_support.h"
#include "ctxpack/support/error.h"

namespace ctxpack {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> patterns(const std::string& content) {
  std::vector<std::string> out;
  for (const Rule& r : parse_ignore_file(content, ".dockerignore").rules) out.push_back(r.pattern);
  return out;
}

std::string read_error(const std::string& content) {
  try {
    parse_ignore_file(content, "ctx/.dockerignore");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(IgnoreFile, SplitsOnNewlinesDroppingOneCarriageReturn) {
  EXPECT_THAT(patterns("a\nb\r\nc"), ElementsAre("a", "b", "c"));
  // Only a '\r' right before the newline is a line ending; one inside a
  // line stays part of the pattern.
  EXPECT_THAT(patterns("a\rb\n"), ElementsAre("a\rb"));
  // ...but trimming removes it at either end, like any whitespace.
  EXPECT_THAT(patterns("\ra\r\r\n"), ElementsAre("a"));
}

TEST(IgnoreFile, LastLineNeedsNoNewline) { EXPECT_THAT(patterns("x\ny"), ElementsAre("x", "y")); }

TEST(IgnoreFile, EmptyContentHasNoRules) {
  EXPECT_THAT(patterns(""), IsEmpty());
  EXPECT_THAT(patterns("\n\n\r\n"), IsEmpty());
}

TEST(IgnoreFile, LinesUpTo64KiBMinusOneAreRead) {
  // bufio.Scanner holds a line plus its newline in 64 KiB.
  std::string ok(65535, 'a');
  EXPECT_THAT(patterns(ok + "\n"), ElementsAre(ok));
  EXPECT_THAT(patterns(ok), ElementsAre(ok));
  std::string with_cr(65534, 'b');
  EXPECT_THAT(patterns(with_cr + "\r\n"), ElementsAre(with_cr));
}

TEST(IgnoreFile, LineOf64KiBFailsTheWholeFileNamingFileAndLine) {
  std::string long_line(65536, 'a');
  std::string err = read_error("x\n# c\n" + long_line + "\ny\n");
  EXPECT_THAT(err, HasSubstr("ctx/.dockerignore:3:"));
  EXPECT_THAT(err, HasSubstr("too long"));
  // The '\r' of a CRLF line counts, and a last line without newline too.
  EXPECT_THAT(read_error(std::string(65535, 'a') + "\r\n"), HasSubstr(":1:"));
  EXPECT_THAT(read_error("x\n" + long_line), HasSubstr(":2:"));
}

TEST(IgnoreFile, ByteOrderMarkIsDroppedOnTheFirstLineOnly) {
  EXPECT_THAT(patterns("\xEF\xBB\xBF"
                       "foo\n\xEF\xBB\xBF"
                       "bar"),
              ElementsAre("foo",
                          "\xEF\xBB\xBF"
                          "bar"));
  // With the mark gone, a first-line '#' is a comment again.
  EXPECT_THAT(patterns("\xEF\xBB\xBF# comment\nx"), ElementsAre("x"));
  EXPECT_EQ(parse_ignore_file("\xEF\xBB\xBF"
                              "foo",
                              "f")
                .rules[0]
                .text,
            "foo");
}

TEST(IgnoreFile, CommentsOnlyInColumnZero) {
  EXPECT_THAT(patterns("#x\n# y\n#\n"), IsEmpty());
  // Checked before trimming: an indented '#' starts a pattern.
  EXPECT_THAT(patterns("  # x"), ElementsAre("# x"));
  EXPECT_THAT(patterns("\t#x"), ElementsAre("#x"));
  // No inline comments.
  EXPECT_THAT(patterns("foo # bar"), ElementsAre("foo # bar"));
  // An escaped '#' is a pattern (it matches a file named "#x").
  EXPECT_THAT(patterns("\\#x"), ElementsAre("\\#x"));
}

TEST(IgnoreFile, TrimsUnicodeWhitespaceAndDropsBlankLines) {
  EXPECT_THAT(patterns(" \t foo \v\f"), ElementsAre("foo"));
  // U+00A0, U+3000, U+0085, U+2028, U+205F: Go's unicode.IsSpace.
  EXPECT_THAT(patterns("\xC2\xA0"
                       "foo\xE3\x80\x80"),
              ElementsAre("foo"));
  EXPECT_THAT(patterns("\xC2\x85"
                       "bar\xE2\x80\xA8\xE2\x81\x9F"),
              ElementsAre("bar"));
  EXPECT_THAT(patterns("\xC2\xA0\n\xE3\x80\x80\n"), IsEmpty());
  // U+200B (zero width space) is not whitespace to Go.
  EXPECT_THAT(patterns("\xE2\x80\x8B"
                       "x"),
              ElementsAre("\xE2\x80\x8B"
                          "x"));
  // An escaped trailing space cannot survive: the space is trimmed first.
  EXPECT_THAT(patterns("a\\ "), ElementsAre("a\\"));
}

TEST(IgnoreFile, ExclamationMarkThenSpacesStillMakesAnException) {
  EXPECT_THAT(patterns("! foo\n!  /bar\n!\tbaz\n!\xC2\xA0qux"), ElementsAre("!foo", "!bar", "!baz", "!qux"));
}

TEST(IgnoreFile, LoneExclamationMarkIsKeptForTheMatcherToReject) {
  EXPECT_THAT(patterns("!\n! \n!\t"), ElementsAre("!", "!", "!"));
}

TEST(IgnoreFile, PatternsArePathCleaned) {
  EXPECT_THAT(patterns("./foo\nfoo/\nfoo//bar\nfoo/../bar\n*/\n."),
              ElementsAre("foo", "foo", "foo/bar", "bar", "*", "."));
  // A trailing '/' never means "directories only" (moby#45284).
  EXPECT_THAT(patterns("ignored/*/"), ElementsAre("ignored/*"));
  // Parents above the context stay (and never match).
  EXPECT_THAT(patterns("../up\n./../x"), ElementsAre("../up", "../x"));
}

TEST(IgnoreFile, OneLeadingSlashIsDropped) {
  EXPECT_THAT(patterns("/foo\n//x\n!/bar\n/a/b/"), ElementsAre("foo", "x", "!bar", "a/b"));
  // "/" and "/.." clean to "/", which is too short to lose its slash.
  EXPECT_THAT(patterns("/\n/..\n!/"), ElementsAre("/", "/", "!/"));
}

TEST(IgnoreFile, EveryRuleRemembersItsOrigin) {
  IgnoreFile f = parse_ignore_file("# header\n\n  node_modules/  \r\n!keep\n", "sub/.dockerignore");
  ASSERT_EQ(f.rules.size(), 2u);
  EXPECT_EQ(f.path, "sub/.dockerignore");
  EXPECT_EQ(f.rules[0].file, "sub/.dockerignore");
  EXPECT_EQ(f.rules[0].line, 3u);
  EXPECT_EQ(f.rules[0].text, "  node_modules/  ");
  EXPECT_EQ(f.rules[0].pattern, "node_modules");
  EXPECT_EQ(f.rules[1].line, 4u);
  EXPECT_EQ(f.rules[1].pattern, "!keep");
}

TEST(IgnoreFile, ANamedFileMustExistAndNotBeADirectory) {
  testing::ScratchDir dir;
  EXPECT_THROW(read_named_ignore_file(dir / "nope"), Error);
  dir.mkdir("d");
  EXPECT_THROW(read_named_ignore_file(dir / "d"), Error);
  dir.write(".dockerignore", "a\n!b\n");
  EXPECT_EQ(read_named_ignore_file(dir / ".dockerignore").rules.size(), 2u);
}

TEST(IgnoreFile, ANamedIgnoreFileMayBeAPipe) {
  // --ignore-file <(generate-rules): the shell passes /dev/fd/N.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], "a\n!b\n", 5), 5);
  ::close(fds[1]);
  IgnoreFile f = read_named_ignore_file("/proc/self/fd/" + std::to_string(fds[0]));
  ::close(fds[0]);
  ASSERT_EQ(f.rules.size(), 2u);
  EXPECT_EQ(f.rules[1].pattern, "!b");
}

TEST(IgnoreFile, AFileThatNeverEndsALineFailsAtTheLimit) {
  // Docker's scanner holds one line; so does the reader, and it stops there.
  try {
    read_named_ignore_file("/dev/zero");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("/dev/zero:1: line too long"));
  }
}

// What `ctxpack fix --write` relies on to keep a file's look.
TEST(IgnoreFile, EditsKeepTheFilesLineEndings) {
  EXPECT_EQ(apply_edit("a\r\nb\r\n", IgnoreEdit{"f", std::nullopt, "c"}), "a\r\nb\r\nc\r\n");
  EXPECT_EQ(apply_edit("a\nb", IgnoreEdit{"f", std::nullopt, "c"}), "a\nb\nc\n") << "a missing newline first";
  EXPECT_EQ(apply_edit("a\r\nb # x\r\nc\r\n", IgnoreEdit{"f", 2, "# x\nb"}), "a\r\n# x\r\nb\r\nc\r\n");
  EXPECT_EQ(apply_edit("a\nb\nc", IgnoreEdit{"f", 3, "# c\nc"}), "a\nb\n# c\nc") << "the last line keeps no newline";
  EXPECT_EQ(apply_edit("a\r\nb\r\nc\r\n", IgnoreEdit{"f", 2, std::nullopt}), "a\r\nc\r\n");
}

}  // namespace
}  // namespace ctxpack
