// Paths with Go's path/filepath semantics, which Docker applies to
// patterns and paths.
#include "ctxpack/support/path.h"

#include <gtest/gtest.h>

namespace ctxpack {
namespace {

TEST(Path, CleanIsGosFilepathClean) {
  // Cases from Go's path/filepath tests.
  const std::pair<const char*, const char*> cases[] = {
      {"", "."},           {"abc", "abc"},          {"abc/def", "abc/def"}, {"a/b/c", "a/b/c"},
      {".", "."},          {"..", ".."},            {"../..", "../.."},     {"../../abc", "../../abc"},
      {"/abc", "/abc"},    {"/", "/"},              {"abc/", "abc"},        {"abc/def/", "abc/def"},
      {"//abc", "/abc"},   {"///abc", "/abc"},      {"abc//def//ghi", "abc/def/ghi"},
      {"abc/./def", "abc/def"},                     {"/./abc/def", "/abc/def"},
      {"abc/def/..", "abc"}, {"abc/def/../..", "."}, {"/abc/def/../..", "/"}, {"abc/def/../../..", ".."},
      {"/abc/def/../../..", "/"},                   {"abc/def/../../../ghi/jkl/../../../mno", "../../mno"},
      {"abc/./../def", "def"},                      {"abc//./../def", "def"},
  };
  for (const auto& [in, want] : cases) {
    EXPECT_EQ(clean_path(in), want) << in;
    EXPECT_EQ(is_clean_path(in), std::string(in) == want) << in;
  }
}

TEST(Path, DirIsGosFilepathDir) {
  EXPECT_EQ(go_dir("a/b/c"), "a/b");
  EXPECT_EQ(go_dir("a"), ".");
  EXPECT_EQ(go_dir("/a"), "/");
  EXPECT_EQ(go_dir("a//b/"), "a/b");
  EXPECT_EQ(go_dir(""), ".");
}

TEST(Path, ParentAndBaseOfCleanRelativePaths) {
  EXPECT_EQ(parent_path("a/b/c"), "a/b");
  EXPECT_EQ(parent_path("a"), "");
  EXPECT_EQ(base_name("a/b/c"), "c");
  EXPECT_EQ(base_name("c"), "c");
  EXPECT_EQ(join_path("", "b"), "b");
  EXPECT_EQ(join_path("a", "b"), "a/b");
}

TEST(Path, AtOrBelowIsComponentWise) {
  EXPECT_TRUE(is_at_or_below("a/b", "a"));
  EXPECT_TRUE(is_at_or_below("a", "a"));
  EXPECT_FALSE(is_at_or_below("ab", "a")) << "a sibling that shares a prefix";
  EXPECT_FALSE(is_at_or_below("a", "a/b"));
  EXPECT_TRUE(is_at_or_below("x/y", "")) << "everything is below the root";
}

}  // namespace
}  // namespace ctxpack
