// Git URL contexts: which contexts are git URLs and how they are taken
// apart (context/git_context.h), as docker's urlutil and moby's gitutils
// do. tests/git/test_git_daemon.py builds real ones.
#include "ctxpack/context/git_context.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

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

}  // namespace
}  // namespace ctxpack
