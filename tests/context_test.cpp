// Resolving a context the way `docker build` does: which Dockerfile, which
// ignore file, and the rules the docker CLI adds.
#include "ctxpack/context/context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cli_support.h"
#include "ctxpack/support/error.h"

namespace ctxpack {
namespace {

using ::testing::HasSubstr;
using testing::ScratchDir;

ContextOptions options_for(const ScratchDir& dir, const Builder* builder) {
  ContextOptions o;
  o.context = dir.path();
  o.builder = builder;
  return o;
}

TEST(Context, BothBuildersFallBackToALowerCaseDockerfile) {
  ScratchDir dir;
  dir.write("dockerfile", "FROM scratch\n");
  for (const Builder* b : {&buildkit_builder(), &legacy_builder()}) {
    BuildContext ctx = open_build_context(options_for(dir, b));
    EXPECT_TRUE(ctx.dockerfile_exists);
    EXPECT_EQ(ctx.dockerfile_rel, "dockerfile");
  }
}

TEST(Context, TheCapitalisedDockerfileWinsOverTheLowerCaseOne) {
  ScratchDir dir;
  dir.write("Dockerfile", "FROM scratch\n");
  dir.write("dockerfile", "FROM scratch\n");
  EXPECT_EQ(open_build_context(options_for(dir, &buildkit_builder())).dockerfile_rel, "Dockerfile");
}

TEST(Context, NoDockerfileIsAnErrorNamingIt) {
  ScratchDir dir;
  dir.write("a", "");
  try {
    open_build_context(options_for(dir, &buildkit_builder()));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot find Dockerfile"));
  }
}

TEST(Context, BuildKitPrefersTheDockerfilesOwnIgnoreFile) {
  ScratchDir dir;
  dir.write("Dockerfile", "FROM scratch\n");
  dir.write(".dockerignore", "root-rule\n");
  dir.write("Dockerfile.dockerignore", "own-rule\n");
  BuildContext bk = open_build_context(options_for(dir, &buildkit_builder()));
  ASSERT_EQ(bk.matcher->rules().size(), 1u);
  EXPECT_EQ(bk.matcher->rules()[0].pattern, "own-rule");
  BuildContext legacy = open_build_context(options_for(dir, &legacy_builder()));
  ASSERT_FALSE(legacy.matcher->rules().empty());
  EXPECT_EQ(legacy.matcher->rules()[0].pattern, "root-rule");
}

TEST(Context, LegacyReaddsAnExcludedDockerfileAndIgnoreFileAsTheCliDoes) {
  ScratchDir dir;
  dir.write("Dockerfile", "FROM scratch\n");
  dir.write(".dockerignore", "*\n");
  BuildContext legacy = open_build_context(options_for(dir, &legacy_builder()));
  ASSERT_EQ(legacy.matcher->rules().size(), 3u);
  EXPECT_EQ(legacy.matcher->rules()[1].pattern, "!.dockerignore");
  EXPECT_EQ(legacy.matcher->rules()[2].pattern, "!Dockerfile");
  EXPECT_EQ(legacy.matcher->rules()[2].origin, RuleOrigin::kClient);
  EXPECT_FALSE(legacy.matcher->matches_or_parents("Dockerfile").excluded);
  // BuildKit sends neither: excluding them only hides them from COPY.
  BuildContext bk = open_build_context(options_for(dir, &buildkit_builder()));
  EXPECT_EQ(bk.matcher->rules().size(), 1u);
  EXPECT_TRUE(bk.matcher->matches_or_parents("Dockerfile").excluded);
}

TEST(Context, ADockerfileThatIsNotARegularFileIsRefusedUnread) {
  ScratchDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0644), 0);
  try {
    read_dockerfile(dir / "fifo");  // would block forever if opened for reading
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("not a regular file"));
  }
  EXPECT_THROW(read_dockerfile("/dev/zero"), Error);
}

TEST(Context, ReadDockerfileKeepsContentModeAndSeconds) {
  ScratchDir dir;
  dir.write("Dockerfile", "FROM scratch\nCOPY . /\n");
  ASSERT_EQ(::chmod((dir / "Dockerfile").c_str(), 04750), 0);
  DockerfileContent df = read_dockerfile(dir / "Dockerfile");
  EXPECT_EQ(df.text, "FROM scratch\nCOPY . /\n");
  EXPECT_EQ(df.mode, 04750u);
  struct stat st;
  ASSERT_EQ(::stat((dir / "Dockerfile").c_str(), &st), 0);
  EXPECT_EQ(df.mtime, st.st_mtim.tv_sec);
}

}  // namespace
}  // namespace ctxpack
