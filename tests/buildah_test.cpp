// Buildah's policy (src/builders/buildah.cpp): each expectation here is what
// Debian's buildah 1.28.2 did on the same input (README.md, Buildah).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ctxpack/builders/builder.h"
#include "ctxpack/context/context.h"
#include "ctxpack/context/walk.h"
#include "ctxpack/rules/matcher.h"
#include "ctxpack/support/error.h"
#include "fake_filesystem.h"

namespace ctxpack {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Builder& bh = buildah_builder();

std::vector<std::string> patterns(const std::string& content) {
  std::vector<std::string> out;
  for (const Rule& r : parse_imagebuilder_ignore(content, ".containerignore").rules) out.push_back(r.pattern);
  return out;
}

TEST(Buildah, FoundByItsNameAndAsPodman) {
  EXPECT_EQ(&find_builder("buildah"), &bh);
  EXPECT_EQ(&find_builder("podman"), &bh);
}

TEST(Buildah, ImagebuilderReadsSlashesBeforeSpaces) {
  // "/!e" is an exception; " /x" keeps its slash (and so never matches).
  EXPECT_THAT(patterns("/!e\n /x\nf/\n//g//\n"), ElementsAre("!e", "/x", "f", "g"));
  // '#' only in column 0; CR and surrounding blanks trimmed; "!/x" is "!x".
  EXPECT_THAT(patterns("# c\n #x\r\n\t\n!/y/\r\n"), ElementsAre("#x", "!y"));
  // No BOM handling: it stays part of the first pattern.
  EXPECT_THAT(patterns("\xEF\xBB\xBFz\n"), ElementsAre("\xEF\xBB\xBFz"));
}

TEST(Buildah, ContainerfileBeforeDockerfileAndNoLowerCase) {
  testing::FakeHost host;
  host.machine().file("work/ctx/Dockerfile", "FROM scratch\n").file("work/ctx/Containerfile", "FROM scratch\n");
  ContextOptions o;
  o.context = "ctx";
  o.builder = &bh;
  o.host = &host;
  EXPECT_EQ(open_build_context(o).dockerfile_rel, "Containerfile");
  testing::FakeHost lower;
  lower.machine().file("work/ctx/dockerfile", "FROM scratch\n").file("work/ctx/containerfile", "FROM scratch\n");
  o.host = &lower;
  try {
    open_build_context(o);
    FAIL() << "no error";
  } catch (const MissingDockerfile& e) {
    EXPECT_EQ(e.path, "ctx/Containerfile");
  }
}

TEST(Buildah, IgnoreFileBesideTheContainerfileThenTheContexts) {
  testing::FakeHost host;
  host.machine()
      .file("work/ctx/.dockerignore", "a\n")
      .file("work/ctx/.containerignore", "b\n")
      .file("work/ctx/Containerfile", "FROM scratch\n")
      .file("work/ctx/sub/Containerfile", "FROM scratch\n")
      .file("work/ctx/sub/Containerfile.containerignore", "c\n")
      .file("work/ctx/two/Containerfile", "FROM scratch\n")
      .file("work/ctx/two/Containerfile.containerignore", "c\n")
      .file("work/ctx/two/Containerfile.dockerignore", "d\n");
  EXPECT_EQ(bh.find_ignore_file(host, "ctx", "ctx/Containerfile"), "ctx/.containerignore");
  EXPECT_EQ(bh.find_ignore_file(host, "ctx", "ctx/sub/Containerfile"), "ctx/sub/Containerfile.containerignore");
  // Both beside it: the .dockerignore one wins.
  EXPECT_EQ(bh.find_ignore_file(host, "ctx", "ctx/two/Containerfile"), "ctx/two/Containerfile.dockerignore");
  testing::FakeHost docker_only;
  docker_only.machine().file("work/ctx/.dockerignore", "a\n");
  EXPECT_EQ(bh.find_ignore_file(docker_only, "ctx", "ctx/Containerfile"), "ctx/.dockerignore");
}

class Collect : public WalkVisitor {
 public:
  void visit(const WalkEntry& e) override {
    if (e.sent) sent.emplace_back(std::string(e.path) + (e.entry->info.type == FileType::kDirectory ? "/" : ""));
  }
  void warning(const std::string&) override {}
  std::vector<std::string> sent;
};

std::vector<std::string> walked(testing::FakeFileSystem& fs, const std::string& ignore) {
  Matcher m(parse_imagebuilder_ignore(ignore, ".containerignore").rules, bh.pattern_syntax());
  Collect c;
  walk(fs, m, bh, {}, c);
  return c.sent;
}

TEST(Buildah, EntersAnExcludedDirectoryOnlyWhenAnExceptionsTextStartsWithIt) {
  testing::FakeFileSystem fs;
  fs.file("a/b/x.py").file("a/y.py").file("top.py").file("sr/q").file("src/x").file("src/y");
  // The excluded parents are not sent: unpacking creates them (mode 0755).
  EXPECT_THAT(walked(fs, "*\n!**/*.py\n!src/x\n"), ElementsAre("src/x", "top.py"));
  Matcher m(parse_imagebuilder_ignore("*\n!src/x\n", ".containerignore").rules, bh.pattern_syntax());
  // A string prefix, not a path prefix: "sr" is entered too.
  EXPECT_FALSE(bh.walk_rules(m).prune("sr"));
  EXPECT_TRUE(bh.walk_rules(m).prune("a"));
}

bool excluded(const std::string& ignore, std::string_view path) {
  return Matcher(parse_imagebuilder_ignore(ignore, ".containerignore").rules, bh.pattern_syntax())
      .matches_or_parents(path)
      .excluded;
}

TEST(Buildah, PlusAndParenthesesAreRegexpOperators) {
  EXPECT_TRUE(excluded("a+b\n", "aab"));
  EXPECT_FALSE(excluded("a+b\n", "a+b"));
  EXPECT_TRUE(excluded("(x)y\n", "xy/z"));
  EXPECT_FALSE(excluded("(x)y\n", "(x)y"));
  // Go's regexp rejects "c++" ("invalid nested repetition operator").
  testing::FakeFileSystem fs;
  fs.file("a");
  Matcher m(parse_imagebuilder_ignore("c++\n", ".containerignore").rules, bh.pattern_syntax());
  EXPECT_THROW(bh.validate(fs, m), PatternError);
}

TEST(Buildah, EveryPatternIsARegexpThatAlsoMatchesBelow) {
  // No suffix shortcut: "**ile" is "(.*/)?ile", so Dockerfile stays.
  EXPECT_FALSE(excluded("**ile\n", "Dockerfile"));
  EXPECT_TRUE(excluded("**ile\n", "a/ile"));
  // Go's text/scanner skips a byte-order mark that starts a pattern.
  EXPECT_TRUE(excluded("\xEF\xBB\xBF" "Dockerfile\n", "Dockerfile"));
  EXPECT_TRUE(excluded("\xEF\xBB\xBF**\n", "x"));
}

TEST(Buildah, EachPathIsJudgedOnItsOwnByTheLastPatternMatchingIt) {
  // Docker skips "!data" on data/ (nothing excluded it yet), so the file
  // stays excluded; storage's "!data" matches data/x itself and comes last.
  EXPECT_FALSE(excluded("data/*\n!data\n", "data/x"));
  testing::FakeFileSystem fs;
  fs.file("v/cache/keep/b.py").file("v/cache/c");
  EXPECT_THAT(walked(fs, "v/cache/keep/*\n!v/*/keep\nv/cache?\n"), ElementsAre("v/", "v/cache/", "v/cache/c",
                                                                               "v/cache/keep/", "v/cache/keep/b.py"));
  Verdict v = Matcher(parse_imagebuilder_ignore("docs\n", ".containerignore").rules, bh.pattern_syntax())
                  .matches_or_parents("docs/a");
  EXPECT_TRUE(v.excluded);
  EXPECT_TRUE(v.via_parent) << "why says the rule matched docs/";
}

TEST(Buildah, APatternGoRejectsFailsWhateverIsWalked) {
  testing::FakeFileSystem fs;
  fs.file("a");
  Collect c;
  try {
    // "[z-a]" passes filepath.Match but not Go's regexp; "zzz" matches nothing.
    Matcher m(parse_imagebuilder_ignore("zzz\n[z-a]*\n", ".containerignore").rules, bh.pattern_syntax());
    walk(fs, m, bh, {}, c);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(".containerignore:2"));
  }
}

}  // namespace
}  // namespace ctxpack
