// Buildah's COPY (containers/buildah 1.28's add.go and copier) on the
// research notes' context A, where it parts from Docker's builders. Each
// behaviour is also built by the real buildah in tests/copy (copy_e2e.py
// --builder buildah).
#include <gtest/gtest.h>

#include "copy_plan_fixture.h"

namespace ctxpack {
namespace {

const Builder* const kBuildah = &buildah_builder();

class BuildahCopyTest : public CopyPlanTest {
 protected:
  CopyPlan buildah(const std::string& instructions) { return plan(instructions, kBuildah); }
};

// Several source words make the destination a directory, trailing / or
// not; one wildcard matching several files writes each to the same path.
TEST_F(BuildahCopyTest, SeveralSourcesWithoutTrailingSlash) {
  EXPECT_EQ(image(buildah("COPY a.txt b.txt /app\n")), (Strings{"/app/", "/app/a.txt = a.txt", "/app/b.txt = b.txt"}));
  CopyPlan glob = buildah("COPY *.txt /app\n");
  EXPECT_EQ(image(glob), (Strings{"/app = b.txt"}));
  EXPECT_NE(warning(last(glob), "multi-source-dest").find("only the last, b.txt, remains"), std::string::npos);
  EXPECT_EQ(image(buildah("COPY d*2 /app\n")), (Strings{"/app/", "/app/.hidden = dir2/.hidden", "/app/f1 = dir2/f1"}));
  EXPECT_EQ(image(buildah("WORKDIR /srv\nCOPY a.txt b.txt .\n")),
            (Strings{"/srv/", "/srv/a.txt = a.txt", "/srv/b.txt = b.txt"}));
}

TEST_F(BuildahCopyTest, ADirectoryDestinationThatIsAFileFails) {
  EXPECT_EQ(error(buildah("COPY a.txt /app\nCOPY b.txt c.md /app\n")),
            "destination /app already exists but is not a directory");
  EXPECT_EQ(error(buildah("COPY a.txt /app\nCOPY dir1 /app\n")),
            "destination /app already exists but is not a directory");
  EXPECT_EQ(image(buildah("COPY a.txt /app\nCOPY b.txt /app\n")), (Strings{"/app = b.txt"}));
}

// The copier looks each source up among all the context's files first:
// a missing one fails before an ignored one, and wildcards that match
// nothing fail only when every source is such a wildcard.
TEST_F(BuildahCopyTest, MissingSourcesFailBeforeIgnoredOnes) {
  const std::string under = "checking on sources under \"/work/ctx\": ";
  EXPECT_EQ(error(buildah("COPY secret.txt missing.txt /app/\n")),
            under + "copier: stat: \"/missing.txt\": no such file or directory");
  EXPECT_EQ(error(buildah("COPY nomatch* none?.txt /app/\n")),
            under + "Rel: can't make  relative to /work/ctx; copier: stat: [\"/nomatch*\" \"/none?.txt\"]: no such "
                    "file or directory");
  EXPECT_EQ(image(buildah("COPY a.txt nomatch* /app/\n")), (Strings{"/app/", "/app/a.txt = a.txt"}));
  CopyPlan ignored = buildah("COPY secret.txt a.txt /app/\n");
  EXPECT_EQ(error(ignored),
            "no items matching glob \"/work/ctx/secret.txt\" copied (1 filtered out using /work/ctx/.dockerignore): "
            "no such file or directory");
  ASSERT_TRUE(has_warning(last(ignored), "excluded-source"));
  EXPECT_EQ(error(buildah("COPY ../a.txt /app/\n")), "");
}

TEST_F(BuildahCopyTest, SymlinksResolveInsideTheContext) {
  link("secret.txt", "link-s");
  link("../../outside", "link-out");
  EXPECT_EQ(error(buildah("COPY link-s /app/\n")), "copier: get: copied no items: no such file or directory");
  EXPECT_EQ(error(buildah("COPY link-out /app/\n")),
            "copier: get: lstat \"/link-out\"(\"/outside\"): lstat /outside: no such file or directory");
  // Wildcards are matched through a symlinked directory, as Go's Glob does.
  EXPECT_EQ(image(buildah("COPY link-d*/f* /app/\n")), (Strings{"/app/", "/app/f1 = dir1/f1"}));
}

// imagebuilder knows no heredocs and only --chmod, --chown and --from.
TEST_F(BuildahCopyTest, DockerOnlySyntaxFails) {
  EXPECT_EQ(error(buildah("COPY <<EOF /x\nhi\nEOF\n")),
            "checking on sources under \"/work/ctx\": copier: stat: \"/<<EOF\": no such file or directory");
  EXPECT_EQ(error(buildah("COPY --link a.txt /app/\n")),
            "COPY only supports the --chmod=<permissions> --chown=<uid:gid> and the --from=<image|stage> flags");
  EXPECT_EQ(error(buildah("ADD --checksum=sha256:00 a.txt /app/\n")),
            "ADD only supports the --chmod=<permissions> and the --chown=<uid:gid> flag");
  EXPECT_EQ(error(buildah("COPY --chmod=755 a.txt /app/\n")), "");
}

}  // namespace
}  // namespace ctxpack
