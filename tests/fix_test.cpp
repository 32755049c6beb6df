// `ctxpack fix`: the unified diff it prints, and the changes it makes,
// each tried (applied and measured again) before it is kept.
#include "ctxpack/report/fix.h"

#include <gtest/gtest.h>

#include "ctxpack/output/diff.h"
#include "report/report_fixtures.h"

namespace ctxpack {
namespace {

using namespace testing_support;

TEST(UnifiedDiff, AsDiffUShowsIt) {
  EXPECT_EQ(unified_diff(".dockerignore", "a\nb\n", "a\nb\n", true), "");
  EXPECT_EQ(unified_diff(".dockerignore", "", "x\n", false), "--- /dev/null\n+++ b/.dockerignore\n@@ -0,0 +1 @@\n+x\n");
  const std::string before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
  const std::string after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\nnew\n";
  EXPECT_EQ(unified_diff("f", before, after, true),
            "--- a/f\n+++ b/f\n@@ -2,9 +2,10 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9\n 10\n+new\n");
  // Changes further apart than twice the context are two hunks.
  const std::string far = "one\n2\n3\n4\n5\n6\n7\n8\n9\nten\n";
  EXPECT_EQ(unified_diff("f", before, far, true),
            "--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+ten\n");
  // Line endings are part of the lines; a missing last newline is said.
  EXPECT_EQ(unified_diff("f", "a\r\nb", "a\r\nb\r\n", true),
            "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\r\n-b\n\\ No newline at end of file\n+b\r\n");
}

Fix fix_of(const fs::path& ctx, std::vector<const Builder*> builders = {&buildkit_builder()},
           bool allowlist = false) {
  ContextOptions o;
  o.context = ctx.string();
  o.builder = builders.front();
  FixOptions f;
  f.builders = std::move(builders);
  f.allowlist = allowlist;
  return make_fix(o, f);
}

void commit(const Scratch& s) {
  ASSERT_EQ(std::system(("cd " + s.ctx.string() + " && git init -q && git add -A && " +
                         "git -c user.email=a@b -c user.name=a commit -qm c")
                            .c_str()),
            0);
}

TEST(Fix, AddsWhatReportProposesInACommentedBlockAndConverges) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\nCOPY . /app/\n");
  s.write(".dockerignore", "# keep this comment\r\nnode_modules\r\n");
  s.write("src/main.js", "x\n");
  commit(s);
  s.write_size("node_modules/a/index.js", 100);
  s.write_size("web/node_modules/b/index.js", 2000);
  s.write_size("debug.log", 300);
  s.write(".env", "STRIPE_SECRET_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n");
  Fix fix = fix_of(s.ctx, {&buildkit_builder(), &legacy_builder()});
  ASSERT_TRUE(fix.changed());
  EXPECT_TRUE(fix.after.starts_with("# keep this comment\r\n**/node_modules\r\n")) << fix.after;
  EXPECT_NE(fix.after.find("\r\n# log file (1 file, 300B)\r\n*.log\r\n"), std::string::npos) << fix.after;
  EXPECT_NE(fix.after.find("\r\n.env\r\n"), std::string::npos) << "a secret with evidence goes";
  ASSERT_EQ(fix.checks.size(), 2u);
  uint64_t git_bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(s.ctx / ".git"))
    if (e.is_regular_file() && !e.is_symlink()) git_bytes += e.file_size();
  EXPECT_NE(fix.after.find("\r\n.git\r\n"), std::string::npos) << fix.after;
  for (const FixCheck& c : fix.checks) {
    EXPECT_TRUE(c.result.holds) << c.builder->id() << ": " << c.result.refusal;
    // web/node_modules, debug.log, .env, .git: measured on the whole new file.
    EXPECT_EQ(c.result.bytes_saved, 2000u + 300u + fs::file_size(s.ctx / ".env") + git_bytes) << c.builder->id();
  }
  s.write(".dockerignore", fix.after);
  EXPECT_FALSE(fix_of(s.ctx, {&buildkit_builder(), &legacy_builder()}).changed()) << "a second run changes nothing";
}

TEST(Fix, NeverTakesWhatTheBuildCopies) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\nCOPY node_modules /app/node_modules\nCOPY .env /app/\n");
  s.write_size("node_modules/a/index.js", 100);
  s.write(".env", "STRIPE_SECRET_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n");
  s.write_size("dist/bundle.js", 500);
  Fix fix = fix_of(s.ctx);
  EXPECT_EQ(fix.after.find("node_modules"), std::string::npos) << fix.after;
  EXPECT_EQ(fix.after.find("\n.env\n"), std::string::npos) << fix.after;
  EXPECT_NE(fix.after.find("\ndist\n"), std::string::npos) << fix.after;
  // A new .dockerignore keeps itself out: COPY * would copy it otherwise.
  EXPECT_FALSE(fix.exists);
  EXPECT_NE(fix.after.find("\n.dockerignore\n"), std::string::npos) << fix.after;
}

TEST(Fix, DeletesRulesALaterOneAlwaysDecidesAndMakesWouldBeCommentsComments) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\nCOPY src /src\n");
  s.write(".dockerignore",
          "*.log\n"             // 1: every match decided by line 7, for any path
          "// build output\n"   // 2: a pattern, not a comment
          "  # caches\n"        // 3: indented: a pattern too
          "docs/api\n"          // 4: inside line 8's literal directory
          "*.tmp\n"             // 5: overlaps line 8 today only: kept
          "out # the bundle\n"  // 6: the pattern "out # the bundle", which matches nothing
          "!*.log\n"
          "docs\n");
  s.write("src/a.c", "a\n");
  s.write("app.log", "l\n");
  s.write("docs/api/x.md", "d\n");
  s.write("docs/y.tmp", "t\n");
  s.write_size("out/bundle.js", 700);
  commit(s);
  const Fix fix = fix_of(s.ctx, {&buildkit_builder(), &legacy_builder(), &buildah_builder()});
  EXPECT_TRUE(fix.after.starts_with("# build output\n"
                                    "# caches\n"
                                    "*.tmp\n"
                                    "# the bundle\n"
                                    "out\n"
                                    "!*.log\n"
                                    "docs\n"
                                    "\n# Added by ctxpack fix"))
      << fix.after;
  for (const FixCheck& c : fix.checks) {
    EXPECT_TRUE(c.result.holds) << c.builder->id() << ": " << c.result.refusal;
    EXPECT_EQ(c.result.entries_added, 0u) << c.builder->id();
  }
  s.write(".dockerignore", fix.after);
  const Fix again = fix_of(s.ctx, {&buildkit_builder(), &legacy_builder(), &buildah_builder()});
  EXPECT_FALSE(again.changed()) << "a second run changes nothing:\n" << again.after;
}

TEST(Fix, ATidyUpAloneIsAChangeThatHolds) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\nCOPY . /app/\n");
  s.write(".dockerignore", "tmp\n!tmp\n.dockerignore\n");
  s.write("tmp/a", "a\n");
  const Fix fix = fix_of(s.ctx, {&buildkit_builder(), &legacy_builder()});
  EXPECT_EQ(fix.after, "!tmp\n.dockerignore\n");
  ASSERT_EQ(fix.changes.size(), 1u);
  EXPECT_FALSE(fix.changes[0].text) << "a deletion";
  for (const FixCheck& c : fix.checks) EXPECT_TRUE(c.result.holds) << c.builder->id() << ": " << c.result.refusal;
}

TEST(Fix, AllowlistSendsWhatTheCopiesNeedAndKeepsTheFilesExclusionsInside) {
  Scratch s;
  s.write("Dockerfile", "FROM scratch\nCOPY package.json /app/\nCOPY src/ /app/src/\nCOPY src/lib/a.js /x/\n");
  s.write(".dockerignore", "**/__pycache__\ndocs\n");
  s.write("package.json", "{}\n");
  s.write("src/lib/a.js", "a\n");
  s.write("src/__pycache__/x.pyc", "p\n");
  s.write_size("assets/big.bin", 5000);
  for (const Builder* b : builders()) {
    Fix fix = fix_of(s.ctx, {b}, true);
    ASSERT_TRUE(fix.allowlist) << b->id() << ": " << (fix.notes.empty() ? "" : fix.notes[0]);
    EXPECT_NE(fix.after.find("\n*\n"), std::string::npos);
    EXPECT_NE(fix.after.find("\n!package.json\n"), std::string::npos);
    EXPECT_NE(fix.after.find("\n!src\n"), std::string::npos);
    EXPECT_EQ(fix.after.find("!src/lib/a.js"), std::string::npos) << "inside !src already";
    EXPECT_NE(fix.after.find("\n**/__pycache__\n"), std::string::npos) << "still kept out of src/";
    EXPECT_EQ(fix.after.find("\ndocs\n"), std::string::npos) << "not needed any more";
    ASSERT_EQ(fix.checks.size(), 1u);
    // The legacy client adds the Dockerfile and .dockerignore back; BuildKit
    // reads them apart from the context and stops sending them with it.
    const uint64_t build_files = b == &legacy_builder() ? 0 : fs::file_size(s.ctx / "Dockerfile") + 20;
    EXPECT_EQ(fix.checks[0].result.bytes_saved, 5000u + build_files) << b->id();
  }
  // A stage the default target does not build is left out, unless every
  // target counts.
  s.write("Dockerfile", "FROM scratch AS docs\nCOPY assets /a/\nFROM scratch\nCOPY package.json /app/\n");
  ContextOptions o;
  o.context = s.ctx.string();
  FixOptions one{{&buildkit_builder()}, {}, true};
  EXPECT_EQ(make_fix(o, one).after.find("!assets"), std::string::npos);
  FixOptions all = one;
  all.build.all_targets = true;
  EXPECT_NE(make_fix(o, all).after.find("\n!assets\n"), std::string::npos);
  // COPY . needs everything: no allowlist, and it says so.
  s.write("Dockerfile", "FROM scratch\nCOPY . /app/\n");
  Fix whole = fix_of(s.ctx, {&buildkit_builder()}, true);
  EXPECT_FALSE(whole.allowlist);
  ASSERT_FALSE(whole.notes.empty());
  EXPECT_NE(whole.notes[0].find("whole context"), std::string::npos);
}

}  // namespace
}  // namespace ctxpack
