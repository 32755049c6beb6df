// Git URL contexts: which contexts are git URLs and how they are taken
// apart (context/git_context.h), as docker's urlutil and moby's gitutils
// do. tests/git/test_git_daemon.py builds real ones.
#include "ctxpack/context/git_context.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "ctxpack/builders/builder.h"
#include "ctxpack/context/context.h"
#include "ctxpack/support/error.h"

namespace ctxpack {
namespace {

TEST(GitContext, WhatDockerTakesForAGitURL) {
  for (const char* url : {"git://host/repo.git", "git@github.com:o/r.git", "github.com/o/r", "https://h/r.git",
                          "http://h/r.git#main:sub", "https://h/r_git"}) {
    EXPECT_TRUE(is_git_url(url)) << url;
  }
  // Go's regexp ".git" has an unescaped dot, hence r_git above.
  for (const char* url : {"https://h/r", "https://h/r.git#", "ssh://h/r.git", "file:///srv/r.git", "./repo.git",
                          "ctx.tar"}) {
    EXPECT_FALSE(is_git_url(url)) << url;
  }
}

TEST(GitContext, TheFragmentIsRefThenSubdirectory) {
  GitRemote r = parse_git_url("git://host/repo.git#v1:app/web");
  EXPECT_EQ(r.remote, "git://host/repo.git");
  EXPECT_EQ(r.ref, "v1");
  EXPECT_EQ(r.subdir, "app/web");
  r = parse_git_url("git://host/repo.git");
  EXPECT_EQ(r.ref, "master") << "docker's default, whatever the repository's HEAD";
  EXPECT_EQ(r.subdir, "");
  r = parse_git_url("git://host/repo.git#:sub");
  EXPECT_EQ(r.ref, "master");
  EXPECT_EQ(r.subdir, "sub");
  r = parse_git_url("git@github.com:o/r.git#dev");
  EXPECT_EQ(r.remote, "git@github.com:o/r.git");
  EXPECT_EQ(r.ref, "dev");
  EXPECT_EQ(parse_git_url("github.com/o/r#x").remote, "https://github.com/o/r");
}

TEST(GitContext, ARefThatGitWouldTakeForAnOptionIsRefused) {
  EXPECT_THROW(parse_git_url("git://host/repo.git#--upload-pack=touch /tmp/x"), Error);
}

TEST(GitContext, AFailedCloneSaysWhyAndLeavesNothing) {
  char dir[] = "/tmp/ctxpack-git-test-XXXXXX";
  ASSERT_TRUE(::mkdtemp(dir));
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", dir, 1);
  try {
    GitCheckout checkout("git://127.0.0.1:1/nothing-listens-here.git");
    ADD_FAILURE() << "cloned from nowhere";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot clone git://127.0.0.1:1/nothing-listens-here.git"), std::string::npos)
        << e.what();
  }
  old ? ::setenv("TMPDIR", saved.c_str(), 1) : ::unsetenv("TMPDIR");
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "the failed clone's directory is left in " << dir;
  std::filesystem::remove_all(dir);
}

void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

// diff --git: the commit as a clean clone would have it, never the working
// copy, with rule files named as git names a file in a commit.
// Buildah reads git@host:repo as a local path and downloads github.com/x
// as a tarball: nothing is cloned for either (tests/git --builder buildah
// builds the URLs it does clone).
TEST(GitContext, BuildahClonesOnlyGitAndHttpUrls) {
  const GitContextRules rules = buildah_builder().git_context().value();
  for (const char* url : {"git@github.com:o/r.git", "github.com/o/r"}) {
    try {
      GitCheckout checkout(url, rules);
      ADD_FAILURE() << url << " was cloned";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("Buildah clones only"), std::string::npos) << e.what();
    }
  }
}

TEST(GitContext, ACommitsCheckoutHoldsWhatWasCommittedOnly) {
  char dir[] = "/tmp/ctxpack-git-test-XXXXXX";
  ASSERT_TRUE(::mkdtemp(dir));
  const std::filesystem::path repo = dir;
  std::filesystem::create_directories(repo / "app");
  write(repo / "app/.dockerignore", "*.log\n");
  write(repo / "app/main.c", "v1\n");
  const std::string git = "git -C " + repo.string() + " -c user.email=t@example.com -c user.name=t ";
  ASSERT_EQ(std::system((git + "init -q && " + git + "add -A && " + git + "commit -qm 1").c_str()), 0);
  write(repo / "app/main.c", "v2, not committed\n");
  write(repo / "app/untracked", "x\n");

  std::string root;
  {
    std::shared_ptr<const GitCheckout> c = GitCheckout::of_commit((repo / "app").string(), "HEAD");
    root = c->root();
    EXPECT_TRUE(c->local());
    std::ifstream in(c->context_dir() + "/main.c");
    std::string text;
    std::getline(in, text);
    EXPECT_EQ(text, "v1");
    EXPECT_FALSE(std::filesystem::exists(c->context_dir() + "/untracked"));
    ContextOptions o;
    o.git = c;
    o.require_dockerfile = false;
    BuildContext ctx = open_build_context(o);
    ASSERT_EQ(ctx.matcher->size(), 1u);
    EXPECT_EQ(ctx.matcher->rule(0).file, "HEAD:app/.dockerignore");
    EXPECT_EQ(ctx.ignore_file, "HEAD:app/.dockerignore");
  }
  EXPECT_FALSE(std::filesystem::exists(root)) << "the checkout outlives its object";
  for (const char* ref : {"no-such-branch", "--output=/tmp/x"}) {
    try {
      GitCheckout::of_commit(repo.string(), ref);
      ADD_FAILURE() << ref << " checked out";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("no such commit"), std::string::npos) << e.what();
    }
  }
  std::filesystem::remove_all(repo);
}

}  // namespace
}  // namespace ctxpack
