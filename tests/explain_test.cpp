// `ctxpack why`: explanations by the rules alone and by each builder's
// walk, and the command's output, exit codes and errors.
#include "ctxpack/context/explain.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "cli_support.h"
#include "fake_filesystem.h"

namespace ctxpack {
namespace {

using ::testing::ElementsAre;
using testing::FakeFileSystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::run_ctxpack;
using testing::ScratchDir;

Matcher rules(const std::string& content) { return Matcher(parse_ignore_file(content, ".dockerignore").rules); }

std::vector<std::string> lines(const std::string& s, char sep = '\n') {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

TEST(ExplainByRules, CleansThePathFirst) {
  Matcher m = rules("docs\n");
  Explanation ex = explain_by_rules(m, "./docs//x/");
  EXPECT_EQ(ex.path, "docs/x");
  EXPECT_TRUE(ex.excluded);
  EXPECT_EQ(ex.via, "docs");
  EXPECT_EQ(ex.verdict.rule, &m.rule(0));
}

TEST(ExplainByRules, TheContextRootIsNeverExcluded) {
  Explanation ex = explain_by_rules(rules("**\n*\n"), "./");
  EXPECT_EQ(ex.path, ".");
  EXPECT_FALSE(ex.excluded);
  EXPECT_EQ(ex.verdict.rule, nullptr);
}

TEST(ExplainByRules, NamesTheShortestParentTheDecidingRuleMatched) {
  Matcher m = rules("**/node_modules\n!**/node_modules/keep\n");
  Explanation ex = explain_by_rules(m, "a/node_modules/b/node_modules/c");
  EXPECT_TRUE(ex.excluded);
  EXPECT_EQ(ex.via, "a/node_modules");
  ex = explain_by_rules(m, "a/node_modules/keep/x");
  EXPECT_FALSE(ex.excluded);
  EXPECT_EQ(ex.verdict.rule, &m.rule(1));
  EXPECT_EQ(ex.via, "a/node_modules/keep");
  ex = explain_by_rules(m, "a/node_modules");
  EXPECT_TRUE(ex.excluded);
  EXPECT_EQ(ex.via, "");
}

TEST(ExplainByRules, ReusedExplanationsCarryNothingOver) {
  Matcher m = rules("docs\n");
  Explanation ex;
  explain_by_rules(m, "docs/a", ex);
  explain_by_rules(m, "src/a", ex);
  EXPECT_EQ(ex.path, "src/a");
  EXPECT_FALSE(ex.excluded);
  EXPECT_EQ(ex.via, "");
  EXPECT_EQ(ex.verdict.rule, nullptr);
}

BuildContext context(const Builder* builder, const std::string& ignore, std::unique_ptr<FakeFileSystem> fs) {
  BuildContext ctx;
  ctx.dir = "/ctx";
  ctx.builder = builder;
  ctx.matcher = std::make_unique<Matcher>(parse_ignore_file(ignore, ".dockerignore").rules);
  ctx.walk = builder->walk_rules(*ctx.matcher);
  ctx.fs = std::move(fs);
  return ctx;
}

std::unique_ptr<FakeFileSystem> tree() {
  auto fs = std::make_unique<FakeFileSystem>();
  fs->file("src/app.py").file("src/app.c").file("docs/README.md").file("docs/x.md");
  return fs;
}

TEST(ExplainInContext, LegacyNeverWalksIntoADirectoryAWildcardExceptionCannotReach) {
  // moby#30018 / docker/cli#2919: the rules keep src/app.py, the classic
  // walk prunes src/ before it could.
  BuildContext ctx = context(&legacy_builder(), "*\n!**/*.py\n", tree());
  Explanation ex = explain_in_context(ctx, "src/app.py");
  EXPECT_TRUE(ex.excluded);
  EXPECT_EQ(ex.via, "src");
  EXPECT_THAT(ex.note, HasSubstr("never walks into excluded directory src/"));
  EXPECT_FALSE(explain_by_rules(*ctx.matcher, "src/app.py").excluded);
}

TEST(ExplainInContext, BuildKitHonoursWildcardExceptionsAndSendsTheParent) {
  BuildContext ctx = context(&buildkit_builder(), "*\n!**/*.py\n", tree());
  Explanation ex = explain_in_context(ctx, "src/app.py");
  EXPECT_FALSE(ex.excluded);
  EXPECT_EQ(ex.verdict.rule, &ctx.matcher->rule(1));
  EXPECT_THAT(ex.note, HasSubstr("parent directory src/ is sent along with it"));
  EXPECT_TRUE(explain_in_context(ctx, "src/app.c").excluded);
}

TEST(ExplainInContext, LegacySendsAReIncludedFileWithoutItsParent) {
  BuildContext ctx = context(&legacy_builder(), "docs\n!docs/README.md\n", tree());
  Explanation ex = explain_in_context(ctx, "docs/README.md");
  EXPECT_FALSE(ex.excluded);
  EXPECT_THAT(ex.note, HasSubstr("without its excluded parent directory docs/"));
  EXPECT_TRUE(explain_in_context(ctx, "docs/x.md").excluded);
}

TEST(ExplainInContext, WalkResultsOverrideTheRulesWhereDockerDoes) {
  // The walk's per-pattern memory forgets an exception that matched the
  // parent (research §4): kept by the rules, excluded by the walk.
  auto fs = std::make_unique<FakeFileSystem>();
  fs->file("foo/bar");
  BuildContext ctx = context(&buildkit_builder(), "foo/bar\n!foo\n", std::move(fs));
  EXPECT_FALSE(explain_by_rules(*ctx.matcher, "foo/bar").excluded);
  EXPECT_TRUE(explain_in_context(ctx, "foo/bar").excluded);
}

TEST(ExplainInContext, MissingPathsAreJudgedAsFiles) {
  BuildContext ctx = context(&buildkit_builder(), "*.md\n", tree());
  Explanation ex = explain_in_context(ctx, "nope.md");
  EXPECT_TRUE(ex.excluded);
  EXPECT_THAT(ex.note, HasSubstr("not in the context"));
}

// ---- the command ---------------------------------------------------------------

class WhyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("rules", "# generated\n/docs\n!docs/README.md\n*.log\n");
    rules_ = dir_ / "rules";
  }
  ScratchDir dir_;
  std::string rules_;
};

TEST_F(WhyCli, OneLinePerPathWithTheDecidingRule) {
  auto r = run_ctxpack({"why", "--ignore-file", rules_, "docs/a/b", "docs/README.md", "x.log", "src/x"});
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(lines(r.out), ElementsAre("excluded\tdocs/a/b\t" + rules_ + ":2:/docs\tmatched parent directory docs/",
                                        "included\tdocs/README.md\t" + rules_ + ":3:!docs/README.md",
                                        "excluded\tx.log\t" + rules_ + ":4:*.log", "included\tsrc/x\t"));
  EXPECT_EQ(r.err, "");
}

TEST_F(WhyCli, PathsFromTheWorkingDirectoryOrAbsoluteMapIntoTheContext) {
  ScratchDir d;
  d.write("ctx/Dockerfile", "FROM scratch\n");
  d.write("ctx/.dockerignore", "secret\n");
  d.write("ctx/secret/key", "k");
  auto r = run_ctxpack({"why", "ctx", "secret/key", "ctx/secret/key", d / "ctx/secret/key"}, d.path());
  EXPECT_EQ(r.status, 0) << r.err;
  const std::string rule = "ctx/.dockerignore:1:secret\tmatched parent directory secret/";
  EXPECT_THAT(lines(r.out), ElementsAre("excluded\tsecret/key\t" + rule, "excluded\tctx/secret/key\t" + rule,
                                        "excluded\t" + (d / "ctx/secret/key") + "\t" + rule));
  for (const std::string& outside : {std::string("../etc/passwd"), std::string("/etc/passwd")}) {
    auto bad = run_ctxpack({"why", "ctx", outside, "secret/key"}, d.path());
    EXPECT_EQ(bad.status, 2) << outside;
    EXPECT_NE(bad.err.find("is outside the context"), std::string::npos) << bad.err;
    EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  }
}

TEST_F(WhyCli, ExitsOneWhenNothingIsExcluded) {
  auto r = run_ctxpack({"why", "--ignore-file", rules_, "src/x", "docs/README.md"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(lines(r.out).size(), 2u);
}

TEST_F(WhyCli, ReadsPathsFromStdin) {
  auto r = run_ctxpack({"why", "--ignore-file", rules_, "--stdin"}, ".", "a.log\r\n\nsrc/x\n./docs/y");
  EXPECT_EQ(r.status, 0);
  // Each path as it came in, so that the output lines up with the input.
  EXPECT_THAT(lines(r.out), ElementsAre("excluded\ta.log\t" + rules_ + ":4:*.log", "included\tsrc/x\t",
                                        "excluded\t./docs/y\t" + rules_ + ":2:/docs\tmatched parent directory docs/"));
}

TEST_F(WhyCli, NulSeparatedPathsStayRaw) {
  std::string input = std::string("a\tb.log") + '\0' + "x\ny" + '\0';
  auto r = run_ctxpack({"why", "--ignore-file", rules_, "--stdin", "-0"}, ".", input);
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(lines(r.out, '\0'), ElementsAre("excluded\ta\tb.log\t" + rules_ + ":4:*.log", "included\tx\ny\t"));
}

TEST_F(WhyCli, QuotesNamesThatWouldBeAmbiguous) {
  auto r = run_ctxpack({"why", "--ignore-file", rules_, "a\tb", "back\\slash", "caf\xC3\xA9"});
  EXPECT_THAT(lines(r.out),
              ElementsAre("included\t\"a\\tb\"\t", "included\t\"back\\\\slash\"\t", "included\tcaf\xC3\xA9\t"));
}

TEST_F(WhyCli, JsonCarriesTheRuleAndTheParent) {
  auto r = run_ctxpack({"why", "--ignore-file", rules_, "--json", "docs/a", "src"});
  EXPECT_THAT(lines(r.out),
              ElementsAre("{\"path\":\"docs/a\",\"verdict\":\"excluded\",\"rule\":{\"file\":\"" + rules_ +
                              "\",\"line\":2,\"pattern\":\"docs\",\"text\":\"/docs\"},\"via_parent\":\"docs\","
                              "\"note\":null,\"context_path\":\"docs/a\"}",
                          "{\"path\":\"src\",\"verdict\":\"included\",\"rule\":null,\"via_parent\":null,"
                          "\"note\":null,\"context_path\":\"src\"}"));
}

TEST_F(WhyCli, MalformedIgnoreFileIsOneLineNamingFileAndLine) {
  dir_.write("bad", "ok\n" + std::string(70000, 'x') + "\n");
  auto r = run_ctxpack({"why", "--ignore-file", dir_ / "bad", "a"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr(dir_ / "bad" + ":2:"));
  EXPECT_EQ(lines(r.err).size(), 1u);

  dir_.write("bang", "a\n!\n");
  r = run_ctxpack({"why", "--ignore-file", dir_ / "bang", "a"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr(dir_ / "bang" + ":2: illegal exclusion pattern"));
}

TEST_F(WhyCli, APatternThatFailsWhenEvaluatedFailsTheRun) {
  dir_.write("lazy", "x\n!a*[\n");
  auto r = run_ctxpack({"why", "--ignore-file", dir_ / "lazy", "y"});
  EXPECT_EQ(r.status, 1);  // never evaluated for "y", as in Docker
  r = run_ctxpack({"why", "--ignore-file", dir_ / "lazy", "x"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr(dir_ / "lazy" + ":2: syntax error in pattern"));
}

TEST_F(WhyCli, MissingIgnoreFileAndMissingPathsAreErrors) {
  auto r = run_ctxpack({"why", "--ignore-file", dir_ / "none", "a"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  r = run_ctxpack({"why", "--ignore-file", rules_});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("no paths"));
}

TEST_F(WhyCli, OperandsAreTakenAsWritten) {
  // "[slug]" is a name (Next.js routes), not a list; "--" ends the
  // options after the context as well as before it.
  ScratchDir ctx;
  ctx.write("Dockerfile", "FROM scratch\n");
  ctx.write("[slug]/page.js", "x");
  ctx.write("-dash", "x");
  ctx.write(".dockerignore", "-*\n");
  auto r = run_ctxpack({"why", ctx.path(), "--", "-dash", "[slug]/page.js"});
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(lines(r.out),
              ElementsAre("excluded\t-dash\t" + ctx / ".dockerignore" + ":1:-*", "included\t[slug]/page.js\t"));
  r = run_ctxpack({"why", "--ignore-file", rules_, "-dash"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown option -dash"));
  EXPECT_EQ(r.out, "");
}

TEST_F(WhyCli, LongStdinRecordsAreRead) {
  // Longer than the 1 MiB read buffer.
  std::string path(3 << 20, 'a');
  auto r = run_ctxpack({"why", "--ignore-file", rules_, "--stdin"}, ".", path + ".log\nb\n");
  EXPECT_EQ(r.status, 0);
  std::vector<std::string> out = lines(r.out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].size(), std::string("excluded\t").size() + path.size() + 4 + 1 + rules_.size() + 8);
  EXPECT_EQ(out[1], "included\tb\t");
}

}  // namespace
}  // namespace ctxpack
