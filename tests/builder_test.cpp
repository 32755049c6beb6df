// What each builder owns: its names, the ignore file it reads, the rules
// its client adds, how its walk prunes, what pack adds, which stages run.
#include "ctxpack/builders/builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_filesystem.h"
#include "ctxpack/dockerfile/dockerfile.h"
#include "ctxpack/rules/matcher.h"
#include "ctxpack/support/error.h"

namespace ctxpack {
namespace {

using ::testing::HasSubstr;

std::vector<Rule> rules(const std::string& content) { return parse_ignore_file(content, ".dockerignore").rules; }

TEST(Builders, EveryBuilderIsFoundByItsNameAndBuildKitIsTheDefault) {
  EXPECT_EQ(&default_builder(), &buildkit_builder());
  ASSERT_GE(builders().size(), 2u);
  for (const Builder* b : builders()) EXPECT_EQ(&find_builder(b->id()), b);
  EXPECT_EQ(&find_builder("legacy"), &legacy_builder());
  try {
    find_builder("kaniko");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown builder \"kaniko\" (buildkit, legacy"));
  }
}

TEST(Builders, BuildKitPrefersTheDockerfilesOwnIgnoreFile) {
  testing::FakeHost host;
  host.machine()
      .file("work/ctx/.dockerignore", "a\n")
      .file("work/ctx/docker/app.Dockerfile", "FROM scratch\n")
      .file("work/ctx/docker/app.Dockerfile.dockerignore", "b\n");
  const std::string df = "ctx/docker/app.Dockerfile";
  EXPECT_EQ(buildkit_builder().find_ignore_file(host, "ctx", df), df + ".dockerignore");
  // The legacy builder reads only the context's file.
  EXPECT_EQ(legacy_builder().find_ignore_file(host, "ctx", df), "ctx/.dockerignore");
  // Without a Dockerfile-specific file, BuildKit reads the context's too.
  EXPECT_EQ(buildkit_builder().find_ignore_file(host, "ctx", "ctx/Dockerfile"), "ctx/.dockerignore");
}

TEST(Builders, NoIgnoreFileAtAll) {
  testing::FakeHost host;
  host.machine().dir("work/ctx");
  for (const Builder* b : builders()) EXPECT_EQ(b->find_ignore_file(host, "ctx", "ctx/Dockerfile"), "") << b->id();
}

TEST(Builders, OnlyTheDockerCliReaddsWhatItsSingleAncestorCheckFindsExcluded) {
  EXPECT_TRUE(legacy_builder().client_rules(rules("**/sub\n"), "sub/Dockerfile").empty())
      << "the CLI's one-level check misses sub/Dockerfile under **/sub";
  std::vector<Rule> added = legacy_builder().client_rules(rules("*\n"), "Dockerfile");
  ASSERT_EQ(added.size(), 2u);
  EXPECT_EQ(added[0].pattern, "!.dockerignore");
  EXPECT_EQ(added[0].origin, RuleOrigin::kClient);
  EXPECT_EQ(added[1].pattern, "!Dockerfile");
  EXPECT_TRUE(legacy_builder().client_rules(rules("build\n"), "Dockerfile").empty());
  EXPECT_TRUE(buildkit_builder().client_rules(rules("*\n"), "Dockerfile").empty());
  // And the classic daemon deletes exactly what the CLI re-added.
  std::vector<Rule> all = rules("*\n");
  for (Rule& r : legacy_builder().client_rules(all, "Dockerfile")) all.push_back(r);
  EXPECT_EQ(legacy_builder().deleted_after_upload(Matcher(all)),
            (std::vector<std::string>{".dockerignore", "Dockerfile"}));
  EXPECT_TRUE(buildkit_builder().deleted_after_upload(Matcher(all)).empty());
}

TEST(Builders, LegacyPrunesWhatNoExceptionTextReachesBuildKitWhatNoExceptionCanReach) {
  Matcher wildcard(rules("*\n!**/*.py\n"));
  EXPECT_TRUE(legacy_builder().walk_rules(wildcard).prune("src"));
  EXPECT_FALSE(buildkit_builder().walk_rules(wildcard).prune("src"));
  Matcher literal(rules("docs\n!docs/keep/**\n"));
  for (const Builder* b : builders()) {
    EXPECT_FALSE(b->walk_rules(literal).prune("docs")) << b->id();
    EXPECT_TRUE(b->walk_rules(literal).prune("other")) << b->id();
  }
  EXPECT_TRUE(legacy_builder().walk_rules(literal).prunes_reincluded);
  EXPECT_FALSE(buildkit_builder().walk_rules(literal).prunes_reincluded);
}

TEST(Builders, WhatEachSendsBesidesTheRules) {
  const WalkRules bk = buildkit_builder().walk_rules(Matcher({}));
  const WalkRules legacy = legacy_builder().walk_rules(Matcher({}));
  EXPECT_TRUE(bk.send_excluded_parents);
  EXPECT_FALSE(legacy.send_excluded_parents);
  EXPECT_TRUE(bk.send_sockets);
  EXPECT_FALSE(legacy.send_sockets);
  EXPECT_EQ(legacy_builder().always_sent("Dockerfile"), (std::vector<std::string>{".dockerignore", "Dockerfile"}));
  EXPECT_TRUE(buildkit_builder().always_sent("Dockerfile").empty());
  EXPECT_TRUE(buildkit_builder().pack_rules().add_excluded_dockerfile);
  EXPECT_TRUE(legacy_builder().pack_rules().hide_outside_dockerfile);
}

TEST(Builders, BuildKitDefinesThePlatformArgsAndRunsOnlyWhatTheTargetNeeds) {
  const auto args = buildkit_builder().automatic_args("linux/arm64/v8");
  EXPECT_EQ(args.at("TARGETPLATFORM"), "linux/arm64");
  EXPECT_EQ(args.at("TARGETARCH"), "arm64");
  EXPECT_EQ(args.at("BUILDOS"), "linux");
  EXPECT_EQ(buildkit_builder().automatic_args("linux/arm/v7").at("TARGETVARIANT"), "v7");
  EXPECT_EQ(buildkit_builder().automatic_args("").at("TARGETPLATFORM"), host_platform().text());
  EXPECT_TRUE(legacy_builder().automatic_args("linux/arm64").empty());
  EXPECT_THROW(parse_platform("linux//arm64"), Error);
  EXPECT_FALSE(buildkit_builder().runs_every_stage());
  EXPECT_TRUE(legacy_builder().runs_every_stage());
}

}  // namespace
}  // namespace ctxpack
