// Resolving a context the way `docker build` does: which Dockerfile, which
// ignore file, and the rules the docker CLI adds. On a fake machine: the
// resolution reads nothing but through the Host and FileSystem interfaces.
#include "ctxpack/context/context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_filesystem.h"

namespace ctxpack {
namespace {

using ::testing::HasSubstr;
using testing::FakeHost;

ContextOptions options_for(FakeHost& host, const Builder* builder, const std::string& context = "ctx") {
  ContextOptions o;
  o.context = context;
  o.builder = builder;
  o.host = &host;
  return o;
}

std::string error_of(const ContextOptions& o) {
  try {
    open_build_context(o);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Context, DockersBuildersFallBackToALowerCaseDockerfile) {
  FakeHost host;
  host.machine().file("work/ctx/dockerfile", "FROM scratch\n");
  for (const Builder* b : {&buildkit_builder(), &legacy_builder()}) {
    BuildContext ctx = open_build_context(options_for(host, b));
    EXPECT_TRUE(ctx.dockerfile_exists);
    EXPECT_EQ(ctx.dockerfile_rel, "dockerfile");
    EXPECT_EQ(ctx.dir, "/work/ctx");
  }
}

TEST(Context, TheCapitalisedDockerfileWinsOverTheLowerCaseOne) {
  FakeHost host;
  host.machine().file("work/ctx/Dockerfile", "FROM scratch\n").file("work/ctx/dockerfile", "FROM scratch\n");
  EXPECT_EQ(open_build_context(options_for(host, &buildkit_builder())).dockerfile_rel, "Dockerfile");
}

TEST(Context, NoDockerfileIsAnErrorNamingIt) {
  FakeHost host;
  host.machine().file("work/ctx/a");
  EXPECT_THAT(error_of(options_for(host, &buildkit_builder())), HasSubstr("cannot find Dockerfile ctx/Dockerfile"));
}

TEST(Context, AMissingOrNonDirectoryContextIsAnError) {
  FakeHost host;
  host.machine().file("work/file");
  EXPECT_THAT(error_of(options_for(host, &buildkit_builder(), "nope")), HasSubstr("cannot open context nope"));
  EXPECT_THAT(error_of(options_for(host, &buildkit_builder(), "file")), HasSubstr("not a directory"));
}

TEST(Context, SymlinksInTheContextPathAndTheDockerfileAreResolved) {
  FakeHost host;
  host.machine().file("srv/app/Dockerfile", "FROM scratch\n").symlink("work/ctx", "/srv/app");
  host.machine().file("srv/app/docker/real.Dockerfile").symlink("srv/app/df", "docker/real.Dockerfile");
  ContextOptions o = options_for(host, &buildkit_builder());
  o.dockerfile = "ctx/df";
  BuildContext ctx = open_build_context(o);
  EXPECT_EQ(ctx.dir, "/srv/app");
  EXPECT_EQ(ctx.dockerfile_rel, "docker/real.Dockerfile");
}

TEST(Context, ADockerfileOutsideTheContextHasNoPathInIt) {
  FakeHost host;
  host.machine().file("work/ctx/a").file("work/Dockerfile.prod", "FROM scratch\n");
  ContextOptions o = options_for(host, &legacy_builder());
  o.dockerfile = "Dockerfile.prod";
  BuildContext ctx = open_build_context(o);
  EXPECT_TRUE(ctx.dockerfile_exists);
  EXPECT_EQ(ctx.dockerfile_rel, "");
}

TEST(Context, ADockerfileFromStdinIsOutsideTheContextWithNoIgnoreFileOfItsOwn) {
  FakeHost host;
  host.machine()
      .file("work/ctx/Dockerfile.dockerignore", "own-rule\n")
      .file("work/ctx/.dockerignore", "Dockerfile\n.dockerignore\n")
      .file("work/ctx/Dockerfile", "FROM busybox\n");
  for (const Builder* b : builders()) {
    ContextOptions o = options_for(host, b);
    o.dockerfile_text = "FROM scratch\n";
    BuildContext ctx = open_build_context(o);
    EXPECT_EQ(ctx.dockerfile_path, "-");
    EXPECT_EQ(ctx.dockerfile_rel, "");
    EXPECT_EQ(ctx.ignore_file, "ctx/.dockerignore");
    EXPECT_EQ(read_dockerfile(ctx).text, "FROM scratch\n");
    // The legacy client re-includes .dockerignore, never a Dockerfile from stdin.
    for (const Rule& r : ctx.matcher->rules()) EXPECT_NE(r.pattern, "!Dockerfile") << b->id();
  }
}

TEST(Context, AnUnreadableDockerfileFailsTheBuild) {
  FakeHost host;
  host.machine().file("work/ctx/Dockerfile", "FROM scratch\n").fail_open("work/ctx/Dockerfile");
  EXPECT_THAT(error_of(options_for(host, &buildkit_builder())), HasSubstr("cannot read Dockerfile ctx/Dockerfile"));
}

TEST(Context, BuildKitPrefersTheDockerfilesOwnIgnoreFile) {
  FakeHost host;
  host.machine()
      .file("work/ctx/Dockerfile", "FROM scratch\n")
      .file("work/ctx/.dockerignore", "root-rule\n")
      .file("work/ctx/Dockerfile.dockerignore", "own-rule\n");
  BuildContext bk = open_build_context(options_for(host, &buildkit_builder()));
  ASSERT_EQ(bk.matcher->rules().size(), 1u);
  EXPECT_EQ(bk.matcher->rules()[0].pattern, "own-rule");
  EXPECT_EQ(bk.ignore_file, "ctx/Dockerfile.dockerignore");
  BuildContext legacy = open_build_context(options_for(host, &legacy_builder()));
  ASSERT_FALSE(legacy.matcher->rules().empty());
  EXPECT_EQ(legacy.matcher->rules()[0].pattern, "root-rule");
}

TEST(Context, NoIgnoreFileMeansNoRules) {
  FakeHost host;
  host.machine().file("work/ctx/Dockerfile", "FROM scratch\n");
  BuildContext ctx = open_build_context(options_for(host, &buildkit_builder()));
  EXPECT_EQ(ctx.ignore_file, "");
  EXPECT_TRUE(ctx.matcher->empty());
}

TEST(Context, AnIgnoreFileThatIsADirectoryOrAFifoIsRefusedNotWaitedFor) {
  FakeHost host;
  host.machine().file("work/ctx/Dockerfile", "FROM scratch\n").dir("work/ctx/.dockerignore");
  EXPECT_THAT(error_of(options_for(host, &buildkit_builder())), HasSubstr(".dockerignore: is a directory"));
  FakeHost fifo;
  fifo.machine().file("work/ctx/Dockerfile", "FROM scratch\n").special("work/ctx/.dockerignore", FileType::kFifo);
  EXPECT_THAT(error_of(options_for(fifo, &buildkit_builder())), HasSubstr(".dockerignore: not a regular file"));
}

TEST(Context, LegacyReaddsAnExcludedDockerfileAndIgnoreFileAsTheCliDoes) {
  FakeHost host;
  host.machine().file("work/ctx/Dockerfile", "FROM scratch\n").file("work/ctx/.dockerignore", "*\n");
  BuildContext legacy = open_build_context(options_for(host, &legacy_builder()));
  ASSERT_EQ(legacy.matcher->rules().size(), 3u);
  EXPECT_EQ(legacy.matcher->rules()[1].pattern, "!.dockerignore");
  EXPECT_EQ(legacy.matcher->rules()[2].pattern, "!Dockerfile");
  EXPECT_EQ(legacy.matcher->rules()[2].origin, RuleOrigin::kClient);
  EXPECT_FALSE(legacy.matcher->matches_or_parents("Dockerfile").excluded);
  // BuildKit sends neither: excluding them only hides them from COPY.
  BuildContext bk = open_build_context(options_for(host, &buildkit_builder()));
  EXPECT_EQ(bk.matcher->rules().size(), 1u);
  EXPECT_TRUE(bk.matcher->matches_or_parents("Dockerfile").excluded);
}

TEST(Context, ADockerfileThatIsNotARegularFileIsRefusedUnread) {
  FakeHost host;
  host.machine().dir("work/ctx").special("work/fifo", FileType::kFifo).special("work/zero", FileType::kCharDevice);
  for (const char* df : {"fifo", "zero"}) {
    ContextOptions o = options_for(host, &buildkit_builder());
    o.dockerfile = df;
    BuildContext ctx = open_build_context(o);
    try {
      read_dockerfile(ctx);  // would block forever, or never end, if read
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr("not a regular file"));
    }
  }
}

TEST(Context, ReadDockerfileKeepsContentModeAndSeconds) {
  FakeHost host;
  host.machine().file("work/ctx/Dockerfile", "FROM scratch\nCOPY . /\n", 04750);
  BuildContext ctx = open_build_context(options_for(host, &buildkit_builder()));
  DockerfileContent df = read_dockerfile(ctx);
  EXPECT_EQ(df.text, "FROM scratch\nCOPY . /\n");
  EXPECT_EQ(df.mode, 04750u);
}

}  // namespace
}  // namespace ctxpack
