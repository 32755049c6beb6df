// `ctxpack ls` as users run it: output formats, builders, -f, errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cli_support.h"

namespace ctxpack {
namespace {

using ::testing::HasSubstr;
using testing::run_ctxpack;
using testing::ScratchDir;

std::vector<std::string> lines(const std::string& s, char sep = '\n') {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

TEST(LsCli, ListsExampleContextPerBuilder) {
  std::string example = std::string(CTXPACK_SOURCE_DIR) + "/testdata/example";
  auto bk = run_ctxpack({"ls", example});
  ASSERT_EQ(bk.status, 0) << bk.err;
  EXPECT_THAT(lines(bk.out), ::testing::ElementsAre(".dockerignore", ".env", "Dockerfile", "config/",
                                                    "config/settings.yaml", "docs/", "docs/README.md", "package.json",
                                                    "src/", "src/app/", "src/app/main.py", "src/app/util.py"));
  auto legacy = run_ctxpack({"ls", "--builder", "legacy", example});
  ASSERT_EQ(legacy.status, 0) << legacy.err;
  // The classic builder sends the re-included README without docs/.
  EXPECT_THAT(lines(legacy.out), ::testing::Contains("docs/README.md"));
  EXPECT_THAT(lines(legacy.out), ::testing::Not(::testing::Contains("docs/")));
}

TEST(LsCli, DefaultContextIsCurrentDirectory) {
  ScratchDir d;
  d.write("Dockerfile", "FROM scratch\n");
  d.write("a", "");
  d.write(".dockerignore", "b\n");
  d.write("b", "");
  auto r = run_ctxpack({"ls"}, d.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, ".dockerignore\nDockerfile\na\n");
}

TEST(LsCli, DockerfileSpecificIgnoreFileOnlyForBuildKit) {
  ScratchDir d;
  d.write("ci/app.Dockerfile", "FROM scratch\n");
  d.write("ci/app.Dockerfile.dockerignore", "secret\n");
  d.write(".dockerignore", "other\n");
  d.write("secret", "");
  d.write("other", "");
  // -f is relative to the current directory, as with docker build.
  auto bk = run_ctxpack({"ls", "-f", "ci/app.Dockerfile", "."}, d.path());
  ASSERT_EQ(bk.status, 0) << bk.err;
  EXPECT_THAT(lines(bk.out), ::testing::Contains("other"));
  EXPECT_THAT(lines(bk.out), ::testing::Not(::testing::Contains("secret")));
  auto legacy = run_ctxpack({"ls", "--builder", "legacy", "-f", "ci/app.Dockerfile", "."}, d.path());
  ASSERT_EQ(legacy.status, 0) << legacy.err;
  EXPECT_THAT(lines(legacy.out), ::testing::Contains("secret"));
  EXPECT_THAT(lines(legacy.out), ::testing::Not(::testing::Contains("other")));
}

TEST(LsCli, LegacyReaddsExcludedDockerfileAndIgnoreFile) {
  ScratchDir d;
  d.write("Dockerfile", "FROM scratch\n");
  d.write(".dockerignore", "*\n");
  d.write("app", "");
  auto legacy = run_ctxpack({"ls", "--builder", "legacy", d.path()});
  ASSERT_EQ(legacy.status, 0) << legacy.err;
  EXPECT_EQ(legacy.out, ".dockerignore\nDockerfile\n");
  auto bk = run_ctxpack({"ls", d.path()});
  ASSERT_EQ(bk.status, 0) << bk.err;
  EXPECT_EQ(bk.out, "");
}

TEST(LsCli, OddNamesQuotedOrRawWithNul) {
  ScratchDir d;
  d.write("plain/Dockerfile", "");
  d.write("tab\there", "");
  d.write("new\nline", "");
  d.write(std::string("bad\xff") + "byte", "");
  d.write("plain", "");
  auto r = run_ctxpack({"ls", "-f", d / "plain/Dockerfile", d.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "\"bad\\377byte\"\n\"new\\nline\"\nplain/\nplain/Dockerfile\n\"tab\\there\"\n");
  auto z = run_ctxpack({"ls", "-0", "-f", d / "plain/Dockerfile", d.path()});
  ASSERT_EQ(z.status, 0);
  static const char want[] =
      "bad\xff"
      "byte\0new\nline\0plain/\0plain/Dockerfile\0tab\there\0";
  EXPECT_EQ(z.out, std::string(want, sizeof want - 1));
}

TEST(LsCli, LongAndJson) {
  ScratchDir d;
  d.write("Dockerfile", "");
  d.write("f", "hello");
  ::chmod((d / "f").c_str(), 04755);
  d.mkdir("dir");
  ::symlink("f", (d / "link").c_str());
  auto l = run_ctxpack({"ls", "-l", d.path()});
  ASSERT_EQ(l.status, 0) << l.err;
  EXPECT_THAT(l.out, HasSubstr("drwx"));
  EXPECT_THAT(l.out, HasSubstr("-rwsr-xr-x            5  f\n"));
  EXPECT_THAT(l.out, HasSubstr("link -> f\n"));
  auto j = run_ctxpack({"ls", "--json", d.path()});
  ASSERT_EQ(j.status, 0);
  auto js = lines(j.out);
  ASSERT_EQ(js.size(), 4u);
  EXPECT_THAT(js[2], HasSubstr("\"path\":\"f\",\"type\":\"file\",\"mode\":\"4755\",\"size\":5"));
  EXPECT_THAT(js[3], HasSubstr("\"type\":\"symlink\""));
  EXPECT_THAT(js[3], HasSubstr("\"target\":\"f\""));
}

TEST(LsCli, BadInputIsOneLineOnStderrAndStatus2) {
  ScratchDir d;
  d.write("Dockerfile", "");
  d.write("file", "");
  d.write("ctx/Dockerfile", "");
  d.write("ctx/.dockerignore", "ok\n!\n");
  d.write("long/Dockerfile", "");
  d.write("long/.dockerignore", std::string(70000, 'a') + "\n");
  d.write("nodf/a", "");
  struct Case {
    std::vector<std::string> args;
    std::string needle;
  } cases[] = {
      {{"ls", d / "missing"}, "missing"},
      {{"ls", d / "file"}, "not a directory"},
      {{"ls", d / "ctx"}, ".dockerignore:2"},
      {{"ls", d / "long"}, ".dockerignore:1"},
      {{"ls", "--builder", "kaniko", d.path()}, "builder"},
      {{"ls", "-f", d / "nope", d.path()}, "nope"},
      {{"ls", "--no-such-flag"}, "no-such-flag"},
      {{"ls", d / "nodf"}, "Dockerfile"},
  };
  for (const auto& c : cases) {
    auto r = run_ctxpack(c.args);
    EXPECT_EQ(r.status, 2) << c.args.back();
    EXPECT_EQ(r.out, "") << c.args.back();
    EXPECT_THAT(r.err, HasSubstr(c.needle));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(LsCli, LazyPatternErrorFailsBeforeAnyOutput) {
  ScratchDir d;
  d.write("Dockerfile", "");
  d.write("x", "");
  d.write("y", "");
  d.write(".dockerignore", "x\n!a*[\n");
  auto r = run_ctxpack({"ls", d.path()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr(".dockerignore:2"));
}

}  // namespace
}  // namespace ctxpack
