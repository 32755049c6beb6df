// The two builders' walks over in-memory trees: order, pruning, held-back
// parents, error tolerance. Expected lists come from Docker's behaviour as
// documented in the research notes (§6.3 legacy, §8.2 BuildKit).
#include "ctxpack/context/walk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ctxpack/support/error.h"
#include "fake_filesystem.h"

namespace ctxpack {
namespace {

using ::testing::ElementsAre;
using testing::FakeFileSystem;
using ::testing::IsEmpty;

class Collect : public WalkVisitor {
 public:
  void visit(const WalkEntry& e) override {
    std::string p(e.path);
    if (e.entry->info.type == FileType::kDirectory) p += '/';
    (e.sent ? sent : unsent).push_back(p);
    if (e.pruned) pruned.push_back(p);
  }
  void warning(const std::string& m) override { warnings.push_back(m); }
  std::vector<std::string> sent, unsent, pruned, warnings;
};

Matcher rules(const std::string& content) { return Matcher(parse_ignore_file(content, ".dockerignore").rules); }

std::vector<std::string> buildkit(FakeFileSystem& fs, const std::string& ignore, WalkOptions o = {}) {
  Matcher m = rules(ignore);
  Collect c;
  walk(fs, m, buildkit_builder(), o, c);
  return c.sent;
}

std::vector<std::string> legacy(FakeFileSystem& fs, const std::string& ignore) {
  Matcher m = rules(ignore);
  Collect c;
  walk(fs, m, legacy_builder(), {}, c);
  return c.sent;
}

TEST(Walk, PreOrderByteWiseNamesRootNotEmitted) {
  FakeFileSystem fs;
  fs.file("a.txt").file("a/x").file("B").file("a/.hidden").dir("empty");
  // Names are sorted within each directory, so "a/" and its contents come
  // before "a.txt"; upper case sorts before lower case.
  std::vector<std::string> want{"B", "a/", "a/.hidden", "a/x", "a.txt", "empty/"};
  EXPECT_EQ(buildkit(fs, ""), want);
  EXPECT_EQ(legacy(fs, ""), want);
}

TEST(Walk, ExcludedDirectoryWithoutExceptionsIsNeverOpened) {
  FakeFileSystem fs;
  fs.file("node_modules/x/index.js").file("src/app.js");
  EXPECT_THAT(buildkit(fs, "node_modules\n"), ElementsAre("src/", "src/app.js"));
  for (const auto& d : fs.opened()) EXPECT_NE(d.rfind("node_modules", 0), 0u) << d;
  FakeFileSystem fs2;
  fs2.file("node_modules/x/index.js").file("src/app.js");
  EXPECT_THAT(legacy(fs2, "node_modules\n"), ElementsAre("src/", "src/app.js"));
  for (const auto& d : fs2.opened()) EXPECT_NE(d.rfind("node_modules", 0), 0u) << d;
}

TEST(Walk, ReincludedFileInsideExcludedDirectory) {
  FakeFileSystem fs;
  fs.file("docs/README.md").file("docs/other.md").file("Dockerfile");
  // BuildKit sends the excluded parent just before the kept file; the
  // classic CLI sends the file without its directory entry.
  EXPECT_THAT(buildkit(fs, "docs\n!docs/README.md\n"), ElementsAre("Dockerfile", "docs/", "docs/README.md"));
  EXPECT_THAT(legacy(fs, "docs\n!docs/README.md\n"), ElementsAre("Dockerfile", "docs/README.md"));
}

TEST(Walk, WildcardExceptionBelowExcludedDirectories) {
  FakeFileSystem fs;
  fs.file("a.py").file("lib/b.py").file("lib/c.txt").file("lib/deep/d.py");
  // moby/moby#30018, docker/cli#2919: the classic walk cannot see past the
  // top level; BuildKit walks every excluded directory when an exception
  // has a wildcard.
  EXPECT_THAT(buildkit(fs, "*\n!**/*.py\n"), ElementsAre("a.py", "lib/", "lib/b.py", "lib/deep/", "lib/deep/d.py"));
  EXPECT_THAT(legacy(fs, "*\n!**/*.py\n"), ElementsAre("a.py"));
}

TEST(Walk, ExceptionReachingIntoDirectoryByLiteralPrefix) {
  FakeFileSystem fs;
  fs.file("util/docker/web/index.html").file("util/docker/other").file("util/x").file("top");
  EXPECT_THAT(legacy(fs, "**\n!util/docker/web\n"), ElementsAre("util/docker/web/", "util/docker/web/index.html"));
  EXPECT_THAT(buildkit(fs, "**\n!util/docker/web\n"),
              ElementsAre("util/", "util/docker/", "util/docker/web/", "util/docker/web/index.html"));
}

TEST(Walk, WildcardInsideExceptionPath) {
  FakeFileSystem fs;
  fs.file("docker/application/Dockerfile").file("docker/readme").file("src/x");
  // docker/for-linux#585: the classic walk enters docker/ (the exception's
  // text starts with it) but not docker/application/.
  EXPECT_THAT(legacy(fs, "*\n!docker/*/Dockerfile\n"), IsEmpty());
  EXPECT_THAT(buildkit(fs, "*\n!docker/*/Dockerfile\n"),
              ElementsAre("docker/", "docker/application/", "docker/application/Dockerfile"));
}

TEST(Walk, ParentResultsCarriedDownTheWalk) {
  FakeFileSystem fs;
  fs.file("foo/bar").file("foo/baz");
  // Docker's walk remembers per pattern whether the parent matched; a
  // skipped pattern counts as unmatched, so "!foo" cannot rescue foo/bar.
  EXPECT_THAT(buildkit(fs, "foo/bar\n!foo\n"), ElementsAre("foo/", "foo/baz"));
  EXPECT_THAT(legacy(fs, "foo/bar\n!foo\n"), ElementsAre("foo/", "foo/baz"));
}

TEST(Walk, SymlinksAreEntriesNotFollowed) {
  FakeFileSystem fs;
  fs.file("real/f").symlink("link", "real").symlink("out", "/etc");
  EXPECT_THAT(buildkit(fs, ""), ElementsAre("link", "out", "real/", "real/f"));
  EXPECT_THAT(fs.opened(), ElementsAre("real"));
}

TEST(Walk, BuildKitToleratesUnreadableDirectoriesItSkips) {
  FakeFileSystem fs;
  fs.file("data/db/x").file("data/keep.py").file("app.py");
  fs.fail_open("data/db");
  Matcher m = rules("data\n!**/*.py\n");
  Collect c;
  walk(fs, m, buildkit_builder(), {}, c);
  EXPECT_THAT(c.sent, ElementsAre("app.py", "data/", "data/keep.py"));
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_THAT(c.warnings[0], ::testing::HasSubstr("data/db"));
}

TEST(Walk, BuildKitFailsOnUnreadableDirectoryItSends) {
  FakeFileSystem fs;
  fs.file("src/x").fail_open("src");
  Matcher m = rules("");
  Collect c;
  EXPECT_THROW(walk(fs, m, buildkit_builder(), {}, c), Error);
}

TEST(Walk, KeepGoingWarnsOfEveryUnreadableDirectoryAndWalksOn) {
  FakeFileSystem fs;
  fs.file("a/x").file("b/y").file("c/z").fail_open("a").fail_open("b");
  WalkOptions o;
  o.keep_going = true;
  Collect c;
  walk(fs, rules(""), buildkit_builder(), o, c);
  EXPECT_THAT(c.sent, ElementsAre("a/", "b/", "c/", "c/z"));
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_THAT(c.warnings[0], ::testing::HasSubstr("a: cannot read directory"));
  EXPECT_THAT(c.warnings[1], ::testing::HasSubstr("b: cannot read directory"));
}

TEST(Walk, LegacyValidationRefusesUnreadableExcludedDirectory) {
  FakeFileSystem fs;
  fs.file("secret/x").file("app").fail_open("secret");
  // docker/for-linux#380: the CLI lists a directory before asking whether
  // it is excluded.
  Matcher m = rules("secret\n");
  try {
    legacy_builder().validate(fs, m);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("can't stat 'secret'"));
  }
}

TEST(Walk, LegacyValidationRefusesUnreadableIncludedFileOnly) {
  FakeFileSystem fs;
  fs.file("a").file("b").fail_open("b");
  EXPECT_THROW(legacy_builder().validate(fs, rules("")), Error);
  EXPECT_NO_THROW(legacy_builder().validate(fs, rules("b\n")));
}

TEST(Walk, IncludeExcludedVisitsEverythingOnce) {
  FakeFileSystem fs;
  fs.file("docs/README.md").file("docs/other.md").file("node_modules/m/i.js").file("keep");
  Matcher m = rules("docs\n!docs/README.md\nnode_modules\n");
  WalkOptions o;
  o.include_excluded = true;
  Collect c;
  walk(fs, m, buildkit_builder(), o, c);
  EXPECT_THAT(c.sent, ElementsAre("docs/", "docs/README.md", "keep"));
  EXPECT_THAT(c.unsent, ElementsAre("docs/other.md", "node_modules/", "node_modules/m/", "node_modules/m/i.js"));
  EXPECT_THAT(c.pruned, ElementsAre("node_modules/m/", "node_modules/m/i.js"));
}

TEST(Walk, IncludeExcludedReportsWalkedDirectoryThatKeptNothing) {
  FakeFileSystem fs;
  fs.file("lib/a.txt").file("b.py");
  Matcher m = rules("*\n!**/*.py\n");
  WalkOptions o;
  o.include_excluded = true;
  Collect c;
  walk(fs, m, buildkit_builder(), o, c);
  EXPECT_THAT(c.sent, ElementsAre("b.py"));
  EXPECT_THAT(c.unsent, ElementsAre("lib/a.txt", "lib/"));
}

TEST(Walk, MalformedPatternFailsOnlyWhenEvaluated) {
  FakeFileSystem fs;
  fs.file("y");
  // "!a*[" is only evaluated once something is excluded.
  EXPECT_THAT(buildkit(fs, "x\n!a*[\n"), ElementsAre("y"));
  fs.file("x");
  EXPECT_THROW(buildkit(fs, "x\n!a*[\n"), PatternError);
}

}  // namespace
}  // namespace ctxpack
