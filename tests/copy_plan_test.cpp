// The COPY/ADD planner on the research notes' context A
// (copy-semantics.md §6), case by case, for both builders.
#include "ctxpack/copy/copy_plan.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli_support.h"
#include "copy_plan_fixture.h"
#include "ctxpack/output/format.h"
#include "ctxpack/support/error.h"

namespace ctxpack {
namespace {

using testing::ScratchDir;

// #1
TEST_F(CopyPlanTest, DotCopiesTheVisibleContextWithSymlinksKept) {
  for (const Builder* b : {kBK, kLegacy}) {
    CopyPlan p = plan("COPY . /app/\n", b);
    EXPECT_EQ(image(p),
              (Strings{"/app/", "/app/.dockerignore = .dockerignore", "/app/.env = .env",
                       "/app/Dockerfile = Dockerfile", "/app/a.txt = a.txt", "/app/b.txt = b.txt", "/app/c.md = c.md",
                       "/app/dir1/", "/app/dir1/f1 = dir1/f1", "/app/dir1/sub/", "/app/dir1/sub/f2 = dir1/sub/f2",
                       "/app/dir1/x.txt = dir1/x.txt", "/app/dir2/", "/app/dir2/.hidden = dir2/.hidden",
                       "/app/dir2/f1 = dir2/f1", "/app/empty/", "/app/link-a -> a.txt", "/app/link-dir -> dir1"}))
        << b->id();
    EXPECT_TRUE(p.image_complete);
    EXPECT_TRUE(p.transfer_whole);
  }
}

// #2: matched directories are flattened, dotfiles match, the last writer wins.
TEST_F(CopyPlanTest, StarFlattensDirectoriesAndFollowsTopLevelSymlinks) {
  for (const Builder* b : {kBK, kLegacy}) {
    CopyPlan p = plan("COPY * /app/\n", b);
    EXPECT_EQ(image(p), (Strings{"/app/", "/app/.dockerignore = .dockerignore", "/app/.env = .env",
                                 "/app/.hidden = dir2/.hidden", "/app/Dockerfile = Dockerfile", "/app/a.txt = a.txt",
                                 "/app/b.txt = b.txt", "/app/c.md = c.md", "/app/f1 = dir1/f1", "/app/link-a = a.txt",
                                 "/app/sub/", "/app/sub/f2 = dir1/sub/f2", "/app/x.txt = dir1/x.txt"}))
        << b->id();
    const auto& ip = last(p);
    EXPECT_TRUE(has_warning(ip, "flattened-dir"));
    EXPECT_NE(warning(ip, "collision").find("/app/f1 is written 3 times (dir1/f1, dir2/f1, dir1/f1)"),
              std::string::npos)
        << warning(ip, "collision");
    EXPECT_TRUE(has_warning(ip, "secret"));    // .env
    EXPECT_TRUE(has_warning(ip, "dotfiles"));  // .env, .dockerignore, .hidden
    EXPECT_TRUE(has_warning(ip, "excluded-match"));
  }
}

// A copied .git is a warning only where nothing could want it: a RUN after
// the COPY may stamp a version from it (vaultwarden's build.rs, argo-cd's
// Makefile), and an exception (!.git) sends it on purpose.
TEST_F(CopyPlanTest, GitDirIsAWarningOnlyWhereNothingReadsIt) {
  dir.write(".git/HEAD", "ref: refs/heads/main\n");
  auto severity = [](const CopyInstructionPlan& ip) {
    for (const auto& w : ip.warnings)
      if (w.code == "git-dir") return std::string(severity_name(w.severity));
    return std::string("none");
  };
  for (const Builder* b : {kBK, kLegacy}) {
    EXPECT_EQ(severity(last(plan("COPY . /app/\n", b))), "warning") << b->id();
    const CopyPlan built = plan("COPY . /src/\nRUN make\n", b);
    EXPECT_EQ(severity(built.instructions.front()), "info") << b->id();
    EXPECT_NE(warning(built.instructions.front(), "git-dir").find("RUN after it"), std::string::npos);
  }
  dir.write(".dockerignore", "*\n!.git\n!a.txt\n");
  EXPECT_EQ(severity(last(plan("COPY . /app/\n"))), "info") << "sent on purpose";
}

// #3
TEST_F(CopyPlanTest, TrailingSlashWildcardPerBuilder) {
  CopyPlan bk = plan("COPY */ /app/\n");
  EXPECT_EQ(image(bk), image(plan("COPY * /app/\n")));
  EXPECT_TRUE(has_warning(last(bk), "trailing-slash-wildcard"));
  CopyPlan legacy = plan("COPY */ /app/\n", kLegacy);
  EXPECT_EQ(error(legacy), "COPY failed: no source files were specified");
  EXPECT_EQ(legacy.fails_at, std::optional<size_t>(2));
}

// #4, #5, #6
TEST_F(CopyPlanTest, DirectorySourceCopiesItsContents) {
  Strings contents = {"/app/", "/app/f1 = dir1/f1", "/app/sub/", "/app/sub/f2 = dir1/sub/f2",
                      "/app/x.txt = dir1/x.txt"};
  for (const Builder* b : {kBK, kLegacy}) {
    EXPECT_EQ(image(plan("COPY dir1 /app\n", b)), contents);
    EXPECT_EQ(image(plan("COPY dir1/ /app/\n", b)), contents);
    EXPECT_EQ(image(plan("COPY ./dir1/. /app/\n", b)), contents);
    EXPECT_EQ(image(plan("COPY dir1 /app/dir1/\n", b)),
              (Strings{"/app/", "/app/dir1/", "/app/dir1/f1 = dir1/f1", "/app/dir1/sub/",
                       "/app/dir1/sub/f2 = dir1/sub/f2", "/app/dir1/x.txt = dir1/x.txt"}));
  }
  EXPECT_TRUE(has_warning(last(plan("COPY dir1 /app\n")), "dir-contents"));
  EXPECT_FALSE(has_warning(last(plan("COPY dir1 /app/dir1/\n")), "dir-contents"));
}

// #7, #8, #9, #10, #11, #12, #34
TEST_F(CopyPlanTest, WildcardsFollowGoFilepathMatch) {
  auto files = [&](const std::string& src) {
    Strings out;
    for (const auto& e : plan("COPY " + src + " /app/\n").image) {
      if (e.type != EntryType::kDir) out.push_back(e.dest);
    }
    return out;
  };
  EXPECT_EQ(files("dir1/*"), (Strings{"/app/f1", "/app/f2", "/app/x.txt"}));
  EXPECT_EQ(files("dir1/*.txt"), (Strings{"/app/x.txt"}));
  EXPECT_EQ(files("?.txt"), (Strings{"/app/a.txt", "/app/b.txt"}));
  EXPECT_EQ(files("[ab]*"), (Strings{"/app/a.txt", "/app/b.txt"}));
  EXPECT_EQ(files(".*"), (Strings{"/app/.dockerignore", "/app/.env"}));
  EXPECT_EQ(files("dir2/*"), (Strings{"/app/.hidden", "/app/f1"}));
  EXPECT_EQ(files("**/*.txt"), (Strings{"/app/x.txt"}));
  EXPECT_EQ(files("d*/f1"), (Strings{"/app/f1"}));
}

// #13, and the collision report for #2's kind.
TEST_F(CopyPlanTest, LaterSourceWins) {
  CopyPlan p = plan("COPY dir1 dir2 /app/\n");
  EXPECT_EQ(image(p), (Strings{"/app/", "/app/.hidden = dir2/.hidden", "/app/f1 = dir2/f1", "/app/sub/",
                               "/app/sub/f2 = dir1/sub/f2", "/app/x.txt = dir1/x.txt"}));
  EXPECT_EQ(warning(last(p), "collision"), "/app/f1 is written 2 times (dir1/f1, dir2/f1); dir2/f1 wins");
}

// #14, #15, #16, #17
TEST_F(CopyPlanTest, FileDestinations) {
  for (const Builder* b : {kBK, kLegacy}) {
    EXPECT_EQ(image(plan("COPY a.txt /app\n", b)), (Strings{"/app = a.txt"}));
    EXPECT_EQ(image(plan("WORKDIR /app\nCOPY a.txt /app\n", b)), (Strings{"/app/", "/app/a.txt = a.txt"}));
    EXPECT_EQ(image(plan("COPY a.txt /app/\n", b)), (Strings{"/app/", "/app/a.txt = a.txt"}));
    EXPECT_EQ(image(plan("COPY a.txt b.txt /app/\n", b)),
              (Strings{"/app/", "/app/a.txt = a.txt", "/app/b.txt = b.txt"}));
  }
}

// #18, #19, #20
TEST_F(CopyPlanTest, SeveralSourcesWithoutTrailingSlash) {
  CopyPlan bk = plan("COPY a.txt b.txt /app\n");
  EXPECT_EQ(image(bk), (Strings{"/app = b.txt"}));
  EXPECT_TRUE(has_warning(last(bk), "multi-source-dest"));
  EXPECT_EQ(image(plan("COPY *.txt /app\n")), (Strings{"/app = b.txt"}));
  EXPECT_EQ(error(plan("COPY a.txt dir1 /app\n")), "cannot copy to non-directory: /app");
  const std::string refusal =
      "When using COPY with more than one source file, the destination must be a directory and end with a /";
  EXPECT_EQ(error(plan("COPY a.txt b.txt /app\n", kLegacy)), refusal);
  EXPECT_EQ(error(plan("COPY *.txt /app\n", kLegacy)), refusal);
  EXPECT_EQ(error(plan("COPY a.txt dir1 /app\n", kLegacy)), refusal);
}

// #21, #22, #23, and "." without WORKDIR.
TEST_F(CopyPlanTest, WorkdirRelativeDestinations) {
  EXPECT_EQ(image(plan("WORKDIR /srv\nCOPY a.txt b.txt .\n")),
            (Strings{"/srv/", "/srv/a.txt = a.txt", "/srv/b.txt = b.txt"}));
  EXPECT_EQ(error(plan("WORKDIR /srv\nCOPY a.txt b.txt .\n", kLegacy)),
            "When using COPY with more than one source file, the destination must be a directory and end with a /");
  for (const Builder* b : {kBK, kLegacy}) {
    EXPECT_EQ(image(plan("WORKDIR /srv/app\nCOPY a.txt ../\n", b)),
              (Strings{"/srv/", "/srv/a.txt = a.txt", "/srv/app/"}));
    EXPECT_EQ(image(plan("WORKDIR /var/www\nENV e=\"\"\nCOPY a.txt $e\n", b)),
              (Strings{"/var/", "/var/www/", "/var/www/a.txt = a.txt"}));
    EXPECT_EQ(image(plan("COPY a.txt .\n", b)), (Strings{"/a.txt = a.txt"}));
    EXPECT_EQ(image(plan("WORKDIR /srv\nCOPY dir2 data/\n", b)),
              (Strings{"/srv/", "/srv/data/", "/srv/data/.hidden = dir2/.hidden", "/srv/data/f1 = dir2/f1"}));
  }
}

// #24, #25: a symlink source is followed and keeps the link's name.
TEST_F(CopyPlanTest, SymlinkSourcesAreFollowed) {
  for (const Builder* b : {kBK, kLegacy}) {
    CopyPlan p = plan("COPY link-a /app/\n", b);
    EXPECT_EQ(image(p), (Strings{"/app/", "/app/link-a = a.txt"}));
    EXPECT_TRUE(has_warning(last(p), "symlink-followed"));
    EXPECT_EQ(image(plan("COPY link-dir /app/\n", b)), image(plan("COPY dir1 /app/\n", b)));
  }
  link("/a.txt", "abs");
  EXPECT_EQ(image(plan("COPY abs /app/\n")), (Strings{"/app/", "/app/abs = a.txt"}));
}

TEST_F(CopyPlanTest, SymlinkTargetExcludedOrOutsideFails) {
  link("secret.txt", "link-s");
  link("../../outside", "link-out");
  CopyPlan s = plan("COPY link-s /app/\n");
  EXPECT_EQ(error(s), "failed to compute cache key: failed to calculate checksum of ref: \"/secret.txt\": not found");
  EXPECT_EQ(error(plan("COPY link-out /app/\n")),
            "failed to compute cache key: failed to calculate checksum of ref: \"/outside\": not found");
  EXPECT_EQ(
      error(plan("COPY link-s /app/\n", kLegacy)),
      "COPY failed: file not found in build context or excluded by .dockerignore: stat link-s: file does not exist");
}

// #26
TEST_F(CopyPlanTest, EmptyDirectoryBecomesTheDestination) {
  for (const Builder* b : {kBK, kLegacy}) EXPECT_EQ(image(plan("COPY empty /app/e\n", b)), (Strings{"/app/", "/app/e/"}));
}

// #27, #28
TEST_F(CopyPlanTest, WildcardMatchingNothing) {
  CopyPlan bk = plan("COPY nomatch* /app/\n");
  EXPECT_FALSE(bk.fails_at);
  EXPECT_TRUE(bk.image.empty());  // not even /app is created
  EXPECT_TRUE(has_warning(last(bk), "empty-wildcard"));
  EXPECT_EQ(error(plan("COPY nomatch* /app/\n", kLegacy)), "COPY failed: no source files were specified");
  for (const Builder* b : {kBK, kLegacy}) {
    EXPECT_EQ(image(plan("COPY a.txt nomatch* /app/\n", b)), (Strings{"/app/", "/app/a.txt = a.txt"}));
  }
}

// #29: BuildKit transfers a directory only when something in it is used.
TEST_F(CopyPlanTest, WildcardInUntransferredDirectory) {
  CopyPlan p = plan("COPY empty/*.txt /app/\n");
  EXPECT_EQ(error(p), "lstat /empty: no such file or directory");
  EXPECT_TRUE(has_warning(last(p), "missing-source"));
  CopyPlan with_dot = plan("COPY . /all/\nCOPY empty/*.txt /app/\n");
  EXPECT_FALSE(with_dot.fails_at);
  EXPECT_EQ(error(plan("COPY empty/*.txt /app/\n", kLegacy)), "COPY failed: no source files were specified");
}

// #30, #31
TEST_F(CopyPlanTest, MissingAndExcludedSources) {
  EXPECT_EQ(error(plan("COPY missing.txt /app/\n")),
            "failed to compute cache key: failed to calculate checksum of ref: \"/missing.txt\": not found");
  EXPECT_EQ(error(plan("COPY missing.txt /app/\n", kLegacy)),
            "COPY failed: file not found in build context or excluded by .dockerignore: stat missing.txt: file does "
            "not exist");
  for (const Builder* b : {kBK, kLegacy}) {
    CopyPlan p = plan("COPY secret.txt /app/\n", b);
    ASSERT_TRUE(last(p).error);
    const auto& w = last(p).warnings;
    ASSERT_FALSE(w.empty());
    EXPECT_EQ(w[0].code, "excluded-source");
    ASSERT_TRUE(w[0].rule);
    EXPECT_EQ(rule_reference(*w[0].rule), dir.path() + "/.dockerignore:1:secret.txt");
  }
}

// #32, #33
TEST_F(CopyPlanTest, ParentAndRootedSources) {
  CopyPlan bk = plan("COPY ../a.txt /app/\n");
  EXPECT_EQ(image(bk), (Strings{"/app/", "/app/a.txt = a.txt"}));
  EXPECT_TRUE(has_warning(last(bk), "parent-dir-source"));
  EXPECT_EQ(error(plan("COPY ../a.txt /app/\n", kLegacy)),
            "COPY failed: forbidden path outside the build context: ../a.txt ()");
  for (const Builder* b : {kBK, kLegacy})
    EXPECT_EQ(image(plan("COPY /a.txt /app/\n", b)), (Strings{"/app/", "/app/a.txt = a.txt"}));
}

// #35, #36, #37, #38, #40, #41, #42
TEST_F(CopyPlanTest, ParentsKeepsDirectoriesFromRootOrPivot) {
  EXPECT_EQ(image(plan("COPY --parents dir1/x.txt dir2/f1 /app/\n")),
            (Strings{"/app/", "/app/dir1/", "/app/dir1/x.txt = dir1/x.txt", "/app/dir2/", "/app/dir2/f1 = dir2/f1"}));
  EXPECT_EQ(image(plan("COPY --parents dir1/./sub/f2 /app/\n")),
            (Strings{"/app/", "/app/sub/", "/app/sub/f2 = dir1/sub/f2"}));
  EXPECT_EQ(image(plan("COPY --parents */f1 /app/\n")),
            (Strings{"/app/", "/app/dir1/", "/app/dir1/f1 = dir1/f1", "/app/dir2/", "/app/dir2/f1 = dir2/f1"}));
  EXPECT_EQ(image(plan("COPY --parents dir1 /app/\n")),
            (Strings{"/app/", "/app/dir1/", "/app/dir1/f1 = dir1/f1", "/app/dir1/sub/",
                     "/app/dir1/sub/f2 = dir1/sub/f2", "/app/dir1/x.txt = dir1/x.txt"}));
  EXPECT_EQ(image(plan("COPY --parents **/f* /app/\n")),
            (Strings{"/app/", "/app/dir1/", "/app/dir1/f1 = dir1/f1", "/app/dir1/sub/",
                     "/app/dir1/sub/f2 = dir1/sub/f2", "/app/dir2/", "/app/dir2/f1 = dir2/f1"}));
  EXPECT_EQ(image(plan("COPY --parents nomatch/*.txt /app/\n")), (Strings{"/app/"}));
  EXPECT_EQ(error(plan("COPY --parents missing.txt /app/\n")),
            "failed to compute cache key: failed to calculate checksum of ref: \"/missing.txt\": not found");
  // The classic builder ignores the flag.
  CopyPlan legacy = plan("COPY --parents dir1/x.txt /app/\n", kLegacy);
  EXPECT_EQ(image(legacy), (Strings{"/app/", "/app/x.txt = dir1/x.txt"}));
  EXPECT_TRUE(has_warning(last(legacy), "ignored-flag"));
}

// #43, #44, #45, #46
TEST_F(CopyPlanTest, ExcludeIsRelativeToEachCopiedSource) {
  auto files = [&](const std::string& line) {
    Strings out;
    for (const auto& e : plan(line).image) {
      if (e.type == EntryType::kFile) out.push_back(e.dest);
    }
    return out;
  };
  Strings top = files("COPY --exclude=*.txt . /app/\n");
  EXPECT_EQ(std::count(top.begin(), top.end(), "/app/a.txt"), 0);
  EXPECT_EQ(std::count(top.begin(), top.end(), "/app/dir1/x.txt"), 1);
  Strings deep = files("COPY --exclude=**/*.txt . /app/\n");
  EXPECT_EQ(std::count(deep.begin(), deep.end(), "/app/dir1/x.txt"), 0);
  EXPECT_EQ(files("COPY --exclude=*.txt *.txt /app/\n"), (Strings{"/app/a.txt", "/app/b.txt"}));
  EXPECT_EQ(files("COPY --exclude=sub dir1 /app/\n"), (Strings{"/app/f1", "/app/x.txt"}));
}

// #47
TEST_F(CopyPlanTest, HeredocSourcesPerBuilder) {
  CopyPlan bk = plan("COPY <<EOF /app/\nhello\nEOF\nCOPY <<EOF /note\nx\nEOF\n");
  Strings paths;
  for (const auto& e : bk.image) paths.push_back(e.dest);
  EXPECT_EQ(paths, (Strings{"/app", "/app/EOF", "/note"}));
  CopyPlan legacy = plan("COPY <<EOF /app/\nhello\nEOF\n", kLegacy);
  EXPECT_EQ(error(legacy), "COPY failed: no source files were specified");
  EXPECT_TRUE(has_warning(last(legacy), "heredoc-ignored"));
}

// #49: --from paths start at the stage's root, not its WORKDIR.
TEST_F(CopyPlanTest, CopyFromStageIsExpandedAgainstThatStage) {
  CopyPlan p = plan(
      "COPY dir1 /build/app/\nWORKDIR /build\nFROM scratch\nCOPY --from=0 build/app /out/\n"
      "COPY --from=0 /build/app/* /flat/\n");
  EXPECT_EQ(last(p).from, "0");
  EXPECT_EQ(image(p),
            (Strings{"/flat/", "/flat/f1 = dir1/f1", "/flat/f2 = dir1/sub/f2", "/flat/x.txt = dir1/x.txt", "/out/",
                     "/out/f1 = dir1/f1", "/out/sub/", "/out/sub/f2 = dir1/sub/f2", "/out/x.txt = dir1/x.txt"}));
  CopyPlan img = plan("COPY --from=alpine /etc/passwd /x\n");
  EXPECT_TRUE(last(img).entries.empty());
  EXPECT_FALSE(img.image_complete);
}

// #50
TEST_F(CopyPlanTest, MalformedJsonBecomesABadPattern) {
  CopyPlan p = plan("COPY [\"a.txt\" \"/app/\"]\n");
  ASSERT_TRUE(last(p).error);
  EXPECT_NE(error(p).find("invalid includepatterns"), std::string::npos) << error(p);
}

// B1, B2, B3
TEST_F(CopyPlanTest, AddExtractsLocalArchives) {
  ScratchDir src;
  src.write("bin/tool", "tool\n");
  ASSERT_EQ(std::system(("tar -czf " + testing::shell_quote(src / "pkg.tar.gz") + " -C " +
                         testing::shell_quote(src.path()) + " bin")
                            .c_str()),
            0);
  dir.write("pkg.tar.gz", testing::slurp(src / "pkg.tar.gz"));
  for (const Builder* b : {kBK, kLegacy}) {
    EXPECT_EQ(image(plan("ADD pkg.tar.gz /opt\n", b)),
              (Strings{"/opt/", "/opt/bin/", "/opt/bin/tool = pkg.tar.gz:bin/tool"}));
    EXPECT_EQ(image(plan("COPY pkg.tar.gz /opt/\n", b)), (Strings{"/opt/", "/opt/pkg.tar.gz = pkg.tar.gz"}));
  }
  EXPECT_EQ(image(plan("ADD --unpack=false pkg.tar.gz /opt/\n")), (Strings{"/opt/", "/opt/pkg.tar.gz = pkg.tar.gz"}));
  EXPECT_EQ(image(plan("ADD a.txt /opt/\n")), (Strings{"/opt/", "/opt/a.txt = a.txt"}));
}

TEST_F(CopyPlanTest, UrlSourcesOnlyForAdd) {
  EXPECT_EQ(error(plan("COPY https://example.com/x.sh /usr/bin/\n")), "source can't be a URL for COPY");
  CopyPlan p = plan("ADD https://example.com/dl/tool.sh /usr/bin/\n");
  EXPECT_EQ(image(p), (Strings{"/usr/", "/usr/bin/", "/usr/bin/tool.sh = https://example.com/dl/tool.sh"}));
  EXPECT_TRUE(p.transfer_paths.empty());
}

TEST_F(CopyPlanTest, IgnoredDockerfileAndDockerignoreAreNotCopyable) {
  dir.write(".dockerignore", "Dockerfile\n.dockerignore\n");
  for (const Builder* b : {kBK, kLegacy}) {
    CopyPlan p = plan("COPY . /app/\nCOPY .* /dot/\n", b);
    for (const auto& e : p.image) {
      EXPECT_NE(e.dest, "/app/Dockerfile") << b->id();
      EXPECT_NE(e.dest, "/app/.dockerignore") << b->id();
    }
    EXPECT_TRUE(plan("COPY Dockerfile /x\n", b).fails_at) << b->id();
  }
}

TEST_F(CopyPlanTest, ExceptionsInsideExcludedDirectory) {
  dir.write(".dockerignore", "dir1\n!dir1/x.txt\n");
  for (const Builder* b : {kBK, kLegacy})
    EXPECT_EQ(image(plan("COPY dir1 /app/\n", b)), (Strings{"/app/", "/app/x.txt = dir1/x.txt"}));
}

TEST_F(CopyPlanTest, ChmodNeedsBuildKit) {
  EXPECT_FALSE(plan("COPY --chmod=755 a.txt /app/\n").fails_at);
  EXPECT_EQ(error(plan("COPY --chmod=755 a.txt /app/\n", kLegacy)),
            "the --chmod option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build "
            "images with BuildKit enabled");
}

TEST_F(CopyPlanTest, FileOntoDirectoryAndDirectoryOntoFile) {
  for (const Builder* b : {kBK, kLegacy}) {
    Strings img = image(plan("COPY dir1 /app/\nCOPY a.txt /app/sub\n", b));
    EXPECT_EQ(std::count(img.begin(), img.end(), "/app/sub/a.txt = a.txt"), 1) << b->id();
  }
  EXPECT_EQ(error(plan("COPY a.txt /app\nCOPY dir1 /app\n")), "cannot copy to non-directory: /app");
  EXPECT_EQ(error(plan("COPY a.txt /app\nCOPY dir1 /app\n", kLegacy)),
            "failed to copy files: failed to copy directory: mkdir /app: not a directory");
}

TEST_F(CopyPlanTest, FailurePointAndUnreachedInstructions) {
  CopyPlan legacy = plan("COPY missing /x/\nCOPY a.txt /y/\n", kLegacy);
  EXPECT_EQ(legacy.fails_at, std::optional<size_t>(2));
  EXPECT_FALSE(legacy.instructions[1].reached);
  // A stage BuildKit does not need cannot fail the build.
  BuildOptions o;
  o.target = "final";
  CopyPlan bk = plan("COPY missing /x/\nFROM scratch AS final\nCOPY a.txt /y/\n", kBK, o);
  EXPECT_FALSE(bk.fails_at);
  EXPECT_FALSE(bk.instructions[0].runs);
  CopyPlan legacy_target = plan("COPY missing /x/\nFROM scratch AS final\nCOPY a.txt /y/\n", kLegacy, o);
  EXPECT_EQ(legacy_target.fails_at, std::optional<size_t>(2));
}

TEST_F(CopyPlanTest, BuildKitTransfersOnlyReferencedPaths) {
  CopyPlan p = plan("COPY a.txt /x\nCOPY link-dir /y/\nCOPY dir2/*.md /z/\n");
  EXPECT_FALSE(p.transfer_whole);
  EXPECT_EQ(p.transfer_paths, (Strings{"a.txt", "dir1", "dir2/*.md", "link-dir"}));
  // a.txt, dir1/f1, dir1/x.txt, dir1/sub/f2
  EXPECT_EQ(p.transfer.files, 4u);
  CopyPlan legacy = plan("COPY a.txt /x\n", kLegacy);
  EXPECT_EQ(legacy.transfer.files, legacy.context.files);
  EXPECT_EQ(legacy.context.files, 11u);  // every regular file but secret.txt
}

TEST_F(CopyPlanTest, CacheOrderHint) {
  dir.write("package.json", "{}\n");
  dir.write("package-lock.json", "{}\n");
  CopyPlan bad = plan("WORKDIR /app\nCOPY . .\nRUN npm ci\n");
  ASSERT_EQ(bad.hints.size(), 1u);
  EXPECT_EQ(bad.hints[0].code, "cache-order");
  // Each manifest goes where the broad COPY puts it, so the image ends the same.
  EXPECT_NE(bad.hints[0].message.find("(COPY package-lock.json package.json /app/)"), std::string::npos)
      << bad.hints[0].message;
  EXPECT_NE(bad.hints[0].message.find("before `npm ci` on line 4"), std::string::npos) << "the RUN, shortened";
  EXPECT_TRUE(last(bad).warnings.empty() || !has_warning(last(bad), "cache-order")) << "said once, as a hint";
  CopyPlan good = plan("WORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n");
  EXPECT_TRUE(good.hints.empty());
  EXPECT_EQ(good.instructions[0].depends_on, (Strings{"package.json", "package-lock.json"}));
  // Manifests first, then workspace packages the install needs: deliberate.
  CopyPlan workspace = plan("WORKDIR /app\nCOPY package.json ./\nCOPY dir1 dir1\nRUN npm ci\n");
  EXPECT_TRUE(workspace.hints.empty());
  // A workspace package's manifest keeps its directory; pnpm is named as pnpm.
  dir.write("dir1/package.json", "{}\n");
  CopyPlan nested = plan("COPY . /src/\nWORKDIR /src/dir1\nRUN corepack enable && pnpm install\n");
  ASSERT_EQ(nested.hints.size(), 1u);
  EXPECT_NE(nested.hints[0].message.find(
                "(COPY package-lock.json package.json /src/; COPY dir1/package.json /src/dir1/)"),
            std::string::npos)
      << nested.hints[0].message;
  EXPECT_NE(nested.hints[0].message.find("before `pnpm install`"), std::string::npos) << nested.hints[0].message;
  // A compile step is not an install: it needs the sources anyway.
  dir.write("Cargo.toml", "[package]\n");
  EXPECT_TRUE(plan("COPY . /src/\nRUN cargo build --release\n").hints.empty());
}

TEST_F(CopyPlanTest, WhatARunMayHaveMadeIsNeverAFailure) {
  // RUN mkdir -p sub made a directory the model cannot see: the two files
  // go into it, and a later COPY . . merges with it.
  dir.write("sub/go.mod", "module x\n");
  dir.write("sub/go.sum", "\n");
  const std::string df = "WORKDIR /app\nRUN mkdir -p sub\nCOPY sub/go.* ./sub\nCOPY . .\n";
  for (const Builder* b : {kBK}) {
    CopyPlan p = plan(df, b, {}, "FROM golang\n");
    EXPECT_FALSE(p.fails_at) << error(p);
    ASSERT_TRUE(has_warning(p.instructions[0], "multi-source-dest"));
    for (const auto& w : p.instructions[0].warnings) {
      if (w.code == "multi-source-dest") {
        EXPECT_EQ(w.severity, Severity::kInfo) << "it depends on the RUN";
      }
    }
  }
  // A file guessed at a path the image may hold as a directory does not
  // make a later directory copy fail either.
  EXPECT_FALSE(plan("COPY a.txt /srv/data\nCOPY dir1 /srv/data\n", kBK, {}, "FROM debian\n").fails_at);
  // On scratch ctxpack knows: that is a real failure.
  EXPECT_TRUE(plan("COPY a.txt /srv/data\nCOPY dir1 /srv/data\n", kBK).fails_at);
}

TEST_F(CopyPlanTest, SourcesWithUnknownValuesAreNotPredictedMissing) {
  CopyPlan p = plan("ARG RELEASE\nCOPY ./tool-${RELEASE} /usr/bin/tool\n", kBK, {}, "FROM alpine\n");
  EXPECT_FALSE(p.fails_at) << error(p);
  EXPECT_TRUE(has_warning(last(p), "unknown-variable"));
}

TEST_F(CopyPlanTest, PlatformArgsComeFromPlatformForBuildKitOnly) {
  const std::string df =
      "ARG FLAVOR=${TARGETARCH}\nFROM scratch AS amd64\nCOPY a.txt /a\nFROM scratch AS arm64\nCOPY b.txt /b\n"
      "FROM ${FLAVOR} AS final\nCOPY c.md /c\n";
  BuildOptions arm;
  arm.platform = "linux/arm64";
  CopyPlan p = plan(df, kBK, arm, "");
  EXPECT_FALSE(p.instructions[0].runs) << "amd64 is not the base of final for linux/arm64";
  EXPECT_TRUE(p.instructions[1].runs);
  EXPECT_FALSE(p.fails_at);
  BuildOptions amd;
  amd.platform = "linux/amd64";
  EXPECT_TRUE(plan(df, kBK, amd, "").instructions[0].runs);
}

TEST_F(CopyPlanTest, SymlinksResolveInsideTheImage) {
  // /app/link-dir -> dir1 is recreated as a symlink; copying through it lands in /app/dir1.
  Strings img = image(plan("COPY . /app/\nCOPY a.txt /app/link-dir/\n"));
  EXPECT_EQ(std::count(img.begin(), img.end(), "/app/dir1/a.txt = a.txt"), 1);
}

TEST_F(CopyPlanTest, UnknownBaseImageHedges) {
  CopyPlan p = plan("COPY a.txt /app\n", kBK, {}, "FROM debian\n");
  EXPECT_FALSE(p.image_complete);
  ASSERT_TRUE(has_warning(last(p), "dest-may-exist"));
  EXPECT_EQ(last(p).warnings.back().severity, Severity::kInfo) << "worth knowing, nothing to change";
  EXPECT_FALSE(has_warning(last(plan("COPY a.txt /app\n")), "dest-may-exist")) << "scratch holds nothing";
}

// The command itself, on the example context in testdata/copy/app.
const std::string kExample = std::string(CTXPACK_SOURCE_DIR) + "/testdata/copy/app";

TEST(CopyCommand, JsonDocument) {
  auto r = testing::run_ctxpack({"copy", kExample, "--json"});
  EXPECT_EQ(r.status, 1) << r.err;  // COPY .env fails: .dockerignore excludes it
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["builder"], "buildkit");
  EXPECT_EQ(doc["fails_at"], 9);
  ASSERT_EQ(doc["instructions"].size(), 4u);
  const auto& flat = doc["instructions"][2];
  EXPECT_EQ(flat["line"], 8);
  EXPECT_EQ(flat["stage"], "1");
  EXPECT_EQ(flat["instruction"], "COPY config/* /etc/app/");
  EXPECT_TRUE(flat["error"].is_null());
  nlohmann::json want = nlohmann::json::parse(R"([
    {"src": null, "dest": "/etc", "type": "dir"},
    {"src": null, "dest": "/etc/app", "type": "dir"},
    {"src": "config/app.ini", "dest": "/etc/app/app.ini", "type": "file"},
    {"src": "config/nested/extra.ini", "dest": "/etc/app/extra.ini", "type": "file"}])");
  for (size_t i : {2, 3}) want[i]["size"] = std::filesystem::file_size(kExample + "/" + want[i]["src"].get<std::string>());
  EXPECT_EQ(flat["entries"], want);
  EXPECT_EQ(flat["warnings"][0]["code"], "flattened-dir");
  const auto& excluded = doc["instructions"][3];
  EXPECT_EQ(excluded["warnings"][0]["code"], "excluded-source");
  EXPECT_EQ(excluded["warnings"][0]["rule"], kExample + "/.dockerignore:2:.env");
  EXPECT_EQ(doc["instructions"][1]["from"], "build");
  EXPECT_EQ(doc["hints"][0]["code"], "cache-order");
  // node_modules, .env and debug.log stay out: 8 files are sent by both builders.
  EXPECT_EQ(doc["context"]["legacy_upload"]["files"], 8);
  EXPECT_TRUE(doc["context"]["buildkit_transfer"]["whole_context"]);
  EXPECT_GT(doc["context"]["tar_bytes"].get<uint64_t>(), doc["context"]["legacy_upload"]["bytes"].get<uint64_t>());
}

TEST(CopyCommand, TargetAndBuildArgs) {
  ScratchDir d;
  d.write("Dockerfile", "FROM scratch AS a\nARG F=missing\nCOPY $F /x/\nFROM scratch AS b\nCOPY b.txt /y/\n");
  d.write("a.txt", "a");
  d.write("b.txt", "b");
  EXPECT_EQ(testing::run_ctxpack({"copy", d.path()}).status, 0);  // stage a is not needed by b
  EXPECT_EQ(testing::run_ctxpack({"copy", d.path(), "--target", "a"}).status, 1);
  EXPECT_EQ(testing::run_ctxpack({"copy", d.path(), "--target", "a", "--build-arg", "F=a.txt"}).status, 0);
  // The classic builder runs stage a on the way to b.
  EXPECT_EQ(testing::run_ctxpack({"copy", d.path(), "--builder", "legacy"}).status, 1);
}

TEST(CopyCommand, SyntaxErrorIsOneLineWithTheLineNumber) {
  ScratchDir d;
  d.write("Dockerfile", "FROM scratch\n\nCOPY --bogus a /b\n");
  auto r = testing::run_ctxpack({"copy", d.path()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ctxpack: " + d.path() + "/Dockerfile:3: unknown flag: bogus\n");
}

TEST(CopyCommand, TextOutputNamesTheFlattening) {
  auto r = testing::run_ctxpack({"copy", kExample});
  EXPECT_NE(r.out.find("Dockerfile:8  COPY config/* /etc/app/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("config/nested/ -> /etc/app/  (1 file, flattened"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("build: the buildkit build fails at line 9"), std::string::npos) << r.out;
}

// With the Dockerfile on stdin the classic client appends a line naming it
// to the .dockerignore it sends; COPY copies that file. BuildKit sends the
// Dockerfile apart and the file as it is.
TEST_F(CopyPlanTest, StdinDockerfileRewritesTheClassicDockerignore) {
  const std::string df = "FROM scratch\nCOPY . /app/\n";
  for (const Builder* b : {kBK, kLegacy}) {
    ContextOptions co;
    co.context = dir.path();
    co.host = &dir.host;
    co.builder = b;
    co.dockerfile_text = df;
    BuildContext ctx = open_build_context(co);
    BuildOptions options;
    options.builder = b;
    CopyPlan p = plan_copies(ctx, evaluate_dockerfile(parse_dockerfile(df, "-"), options));
    const auto it = std::find_if(p.image.begin(), p.image.end(),
                                 [](const CopyEntry& e) { return e.dest == "/app/.dockerignore"; });
    ASSERT_NE(it, p.image.end());
    const uint64_t original = std::string("secret.txt\n").size();
    const uint64_t appended = std::string("\n.dockerfile.") .size() + 20 + 1;
    EXPECT_EQ(it->size, b == kLegacy ? original + appended : original) << b->id();
    EXPECT_EQ(has_warning(last(p), "dockerignore-rewritten"), b == kLegacy) << b->id();
  }
}

// Docker applies no ignore file to an archive, so one Docker's matcher
// refuses does not stop its build; Buildah, which applies it, is left out
// of the comparison with a warning instead of failing the command.
TEST(CopyCommand, ABuilderThatRefusesTheArchiveIsLeftOutWithAWarning) {
  ScratchDir src;
  src.write("ctx/Dockerfile", "FROM scratch\nCOPY . /ctx/\n");
  src.write("ctx/.dockerignore", "!\n");
  src.write("ctx/a", "a\n");
  ASSERT_EQ(std::system(("tar -cf " + testing::shell_quote(src / "ctx.tar") + " -C " +
                         testing::shell_quote(src / "ctx") + " .")
                            .c_str()),
            0);
  auto r = testing::run_ctxpack({"copy", src / "ctx.tar"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("warning: not compared with Buildah: "), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("every COPY/ADD the buildkit build runs succeeds"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ctxpack
