// pack_context around the walk: hardlinks, the Dockerfile policy, files
// that change mid-pack, reproducible output, the size counter report uses,
// atomic output; and the pack command's own behaviour. The entries
// themselves are held against the docker client's upload in tests/pack
// and tests/e2e.
#include "ctxpack/pack/pack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "cli_support.h"
#include "ctxpack/output/format.h"
#include "ctxpack/support/sha256.h"
#include "fake_filesystem.h"

namespace ctxpack {
namespace {

using testing::run_ctxpack;
using testing::ScratchDir;
using testing::slurp;

struct Member {
  std::string name, link, data;
  int type = 0;
  bool hardlink = false;
  uint32_t mode = 0;
  int64_t size = 0, mtime = 0;
};

std::vector<Member> members(const std::string& bytes) {
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_filter_all(a);
  EXPECT_EQ(archive_read_open_memory(a, bytes.data(), bytes.size()), ARCHIVE_OK);
  std::vector<Member> out;
  archive_entry* e;
  int r;
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    Member m;
    m.name = archive_entry_pathname(e);
    if (const char* h = archive_entry_hardlink(e)) {
      m.link = h;
      m.hardlink = true;
    }
    if (const char* s = archive_entry_symlink(e)) m.link = s;
    m.type = static_cast<int>(archive_entry_filetype(e));
    m.mode = archive_entry_perm(e);
    m.size = archive_entry_size(e);
    m.mtime = archive_entry_mtime(e);
    char buf[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) m.data.append(buf, static_cast<size_t>(n));
    out.push_back(m);
  }
  EXPECT_EQ(r, ARCHIVE_EOF) << archive_error_string(a);
  archive_read_free(a);
  return out;
}

std::vector<std::string> names(const std::vector<Member>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.name);
  return out;
}

const Member* find(const std::vector<Member>& ms, const std::string& name) {
  for (const auto& m : ms) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

struct Packed {
  std::string bytes;
  PackResult result;
  std::vector<std::string> warnings;
};

Packed pack(BuildContext& ctx, const PackOptions& options = {}) {
  ScratchDir out;
  std::string path = out / "tar";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  Packed p;
  {
    TarStream stream(fd, TarStreamOptions{});
    PackCallbacks callbacks;
    callbacks.warning = [&](const std::string& m) { p.warnings.push_back(m); };
    p.result = pack_context(ctx, options, stream, callbacks);
  }
  ::close(fd);
  p.bytes = slurp(path);
  return p;
}

uint64_t counted(BuildContext& ctx, const PackOptions& options = {}) {
  TarSizeCounter counter(ctx, options);
  WalkOptions walk;
  walk.stat = true;
  walk_context(ctx, walk, counter);
  return counter.total();
}

ContextOptions at(const std::string& dir, const Builder* builder = &buildkit_builder(), const std::string& dockerfile = "") {
  ContextOptions o;
  o.context = dir;
  o.builder = builder;
  o.dockerfile = dockerfile;
  return o;
}

void set_mtime(const std::string& path, time_t t) {
  struct timespec times[2] = {{t, 0}, {t, 0}};
  ::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW);
}

// A context with most kinds of entry and a Dockerfile the rules exclude.
void fill(const ScratchDir& d, const std::string& ignore = "Dockerfile\n*.log\n") {
  d.write("ctx/Dockerfile", "FROM scratch\nCOPY . /\n");
  d.write("ctx/.dockerignore", ignore);
  d.write("ctx/src/a.c", "int a;\n");
  d.write("ctx/src/debug.log", "excluded\n");
  d.write("ctx/" + std::string(130, 'L'), "long name\n");
  d.write("ctx/hl/one", "shared\n");
  ::link((d / "ctx/hl/one").c_str(), (d / "ctx/hl/two").c_str());
  ::symlink("../src/a.c", (d / "ctx/hl/sym").c_str());
  d.write("ctx/empty", "");
  d.mkdir("ctx/dir/sub");
}

TEST(Pack, HardlinksPointAtTheFirstArchivedName) {
  ScratchDir d;
  fill(d);
  BuildContext ctx = open_build_context(at(d / "ctx"));
  auto ms = members(pack(ctx).bytes);
  const Member* one = find(ms, "hl/one");
  const Member* two = find(ms, "hl/two");
  ASSERT_TRUE(one && two);
  EXPECT_EQ(one->type, AE_IFREG);
  EXPECT_EQ(one->data, "shared\n");
  EXPECT_EQ(two->link, "hl/one");
  EXPECT_EQ(two->size, 0);
  EXPECT_EQ(find(ms, "hl/sym")->link, "../src/a.c");
  EXPECT_EQ(find(ms, "dir/sub/")->type, AE_IFDIR);
}

TEST(Pack, CounterGivesTheExactTarSizeWithoutReading) {
  ScratchDir d;
  fill(d);
  set_mtime(d / "ctx/src/a.c", -100);  // needs a PAX header, unless reproducible
  for (const Builder* b : {&buildkit_builder(), &legacy_builder()}) {
    for (int variant = 0; variant < 3; ++variant) {
      PackOptions o;
      o.add_dockerfile = variant != 1;
      o.reproducible = variant == 2;
      BuildContext ctx = open_build_context(at(d / "ctx", b));
      uint64_t predicted = counted(ctx, o);
      BuildContext again = open_build_context(at(d / "ctx", b));
      Packed p = pack(again, o);
      EXPECT_EQ(predicted, p.bytes.size()) << b->id() << " variant " << variant;
      EXPECT_EQ(p.result.stats.tar_bytes, p.bytes.size());
    }
  }
  // A Dockerfile from outside the context, injected with the legacy rewrite.
  d.write("outside.Dockerfile", "FROM scratch\n");
  BuildContext ctx = open_build_context(at(d / "ctx", &legacy_builder(), d / "outside.Dockerfile"));
  uint64_t predicted = counted(ctx);
  BuildContext again = open_build_context(at(d / "ctx", &legacy_builder(), d / "outside.Dockerfile"));
  EXPECT_EQ(predicted, pack(again).bytes.size());
}

TEST(Pack, BuildKitAddsAnExcludedDockerfileAndSaysSo) {
  ScratchDir d;
  fill(d);
  BuildContext ctx = open_build_context(at(d / "ctx"));
  Packed p = pack(ctx);
  EXPECT_EQ(p.result.dockerfile, "Dockerfile");
  ASSERT_FALSE(names(members(p.bytes)).empty());
  EXPECT_EQ(names(members(p.bytes)).back(), "Dockerfile");
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_NE(p.warnings[0].find("COPY"), std::string::npos);

  PackOptions exact;
  exact.add_dockerfile = false;
  BuildContext again = open_build_context(at(d / "ctx"));
  p = pack(again, exact);
  EXPECT_EQ(p.result.dockerfile, "");
  EXPECT_EQ(find(members(p.bytes), "Dockerfile"), nullptr);
}

TEST(Pack, LegacyLeavesAnExcludedDockerfileToTheDaemon) {
  // The CLI re-includes it (and the daemon deletes it after reading).
  ScratchDir d;
  fill(d);
  BuildContext ctx = open_build_context(at(d / "ctx", &legacy_builder()));
  Packed p = pack(ctx);
  EXPECT_EQ(p.result.dockerfile, "Dockerfile");
  EXPECT_TRUE(p.warnings.empty());
  // Where the CLI's one-ancestor check misses the exclusion, the Dockerfile
  // is not sent, exactly as with docker.
  ScratchDir e;
  e.write("ctx/sub/Dockerfile", "FROM scratch\n");
  e.write("ctx/.dockerignore", "**/sub\n");
  e.write("ctx/f", "f\n");
  BuildContext missed = open_build_context(at(e / "ctx", &legacy_builder(), e / "ctx/sub/Dockerfile"));
  p = pack(missed);
  EXPECT_EQ(p.result.dockerfile, "");
  EXPECT_EQ(names(members(p.bytes)), (std::vector<std::string>{".dockerignore", "f"}));
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_NE(p.warnings[0].find("Cannot locate specified Dockerfile"), std::string::npos);
}

TEST(Pack, ADockerfileFromOutsideIsAddedAsTheDockerCliDoes) {
  ScratchDir d;
  d.write("ctx/a", "a\n");
  d.write("ctx/.dockerignore", "*.tmp");
  d.write("df/Dockerfile", "FROM scratch\nCOPY a /\n");
  Sha256 h;
  h.update("FROM scratch\nCOPY a /\n", 22);
  const std::string name = ".dockerfile." + h.hex_digest().substr(0, 20);
  PackOptions o;
  o.now = 1700000000;

  BuildContext legacy = open_build_context(at(d / "ctx", &legacy_builder(), d / "df/Dockerfile"));
  Packed p = pack(legacy, o);
  EXPECT_EQ(p.result.dockerfile, name);
  auto ms = members(p.bytes);
  // .dockerignore rewritten where it stands; the Dockerfile appended.
  EXPECT_EQ(names(ms), (std::vector<std::string>{".dockerignore", "a", name}));
  EXPECT_EQ(ms[0].data, "*.tmp\n" + name + "\n");
  EXPECT_EQ(ms[2].data, "FROM scratch\nCOPY a /\n");
  EXPECT_EQ(ms[2].mode, 0600u);
  EXPECT_EQ(ms[2].mtime, 1700000000);

  // Without a .dockerignore the CLI creates one that also hides itself.
  ::unlink((d / "ctx/.dockerignore").c_str());
  BuildContext bare = open_build_context(at(d / "ctx", &legacy_builder(), d / "df/Dockerfile"));
  ms = members(pack(bare, o).bytes);
  EXPECT_EQ(names(ms), (std::vector<std::string>{"a", name, ".dockerignore"}));
  EXPECT_EQ(ms[2].data, ".dockerignore\n" + name + "\n");
  EXPECT_EQ(ms[2].mode, 0600u);

  // BuildKit applies no ignore file to a tar: only the Dockerfile, and a warning.
  BuildContext bk = open_build_context(at(d / "ctx", &buildkit_builder(), d / "df/Dockerfile"));
  p = pack(bk, o);
  EXPECT_EQ(names(members(p.bytes)), (std::vector<std::string>{"a", name}));
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_NE(p.warnings[0].find(name), std::string::npos);
}

TEST(Pack, ReproducibleOutputIgnoresMtimesOwnersAndCreationOrder) {
  ScratchDir d;
  for (const char* name : {"one", "two"}) {
    std::string root = d / name;
    std::vector<std::string> files = {"b/y", "a/x", "c", "Dockerfile"};
    if (std::string(name) == "two") std::reverse(files.begin(), files.end());
    for (const auto& f : files) d.write(std::string(name) + "/" + f, "content of " + f + "\n");
    if (std::string(name) == "two") {
      set_mtime(root + "/a/x", 12345);
      set_mtime(root + "/b", -5);
      ::chown((root + "/c").c_str(), 1000, 1000);
    }
  }
  PackOptions o;
  o.reproducible = true;
  o.epoch = 1234567890;
  BuildContext one = open_build_context(at(d / "one"));
  BuildContext two = open_build_context(at(d / "two"));
  std::string a = pack(one, o).bytes, b = pack(two, o).bytes;
  EXPECT_EQ(a, b);
  for (const auto& m : members(a)) EXPECT_EQ(m.mtime, 1234567890) << m.name;
}

// Files whose content no longer matches what the walk saw.
class ChangingFileSystem : public testing::FakeFileSystem {
 public:
  std::map<std::string, std::string> now;  // name -> content at open time
  std::map<std::string, int> open_errors;

  int open_file(Dir parent, const std::string& name, std::unique_ptr<InputFile>* out) override {
    if (auto it = open_errors.find(name); it != open_errors.end()) return it->second;
    if (auto it = now.find(name); it != now.end()) {
      *out = std::make_unique<testing::StringInputFile>(it->second);
      return 0;
    }
    return FakeFileSystem::open_file(parent, name, out);
  }
};

TEST(Pack, FilesThatChangeKeepTheTarWellFormed) {
  auto fs = std::make_unique<ChangingFileSystem>();
  fs->file("grows", "1234").file("shrinks", "123456789").file("vanishes", "v").file("locked", "l").file("same", "s");
  fs->now["grows"] = "1234 and more";
  fs->now["shrinks"] = "123";
  fs->open_errors["vanishes"] = ENOENT;
  fs->open_errors["locked"] = EACCES;
  BuildContext ctx;
  ctx.fs = std::move(fs);
  ctx.matcher = std::make_unique<Matcher>(std::vector<Rule>{});
  Packed p = pack(ctx);
  auto ms = members(p.bytes);
  EXPECT_EQ(names(ms), (std::vector<std::string>{"grows", "same", "shrinks"}));
  EXPECT_EQ(find(ms, "grows")->data, "1234");
  EXPECT_EQ(find(ms, "shrinks")->data, std::string("123\0\0\0\0\0\0", 9));
  EXPECT_EQ(find(ms, "same")->data, "s");
  ASSERT_EQ(p.result.changed.size(), 4u);
  std::string all;
  for (const auto& c : p.result.changed) all += c + "\n";
  for (const char* name : {"grows", "shrinks", "vanishes", "locked"}) {
    EXPECT_NE(all.find(std::string(name) + ":"), std::string::npos) << all;
  }
}

// The command: where the tar goes, what it says, how it fails.
TEST(PackCommand, WritesTheSameTarToStdoutAndToAFile) {
  ScratchDir d;
  fill(d);
  auto to_stdout = run_ctxpack({"pack", "ctx", "-q"}, d.path());
  ASSERT_EQ(to_stdout.status, 0) << to_stdout.err;
  EXPECT_EQ(to_stdout.err.find("packed"), std::string::npos);
  auto to_file = run_ctxpack({"pack", "ctx", "-o", "out.tar"}, d.path());
  ASSERT_EQ(to_file.status, 0) << to_file.err;
  EXPECT_EQ(slurp(d / "out.tar"), to_stdout.out);
  EXPECT_TRUE(to_file.out.empty());
  // The summary line: entries, files, content and tar size.
  auto ms = members(to_stdout.out);
  size_t files = std::count_if(ms.begin(), ms.end(), [](const Member& m) { return m.type == AE_IFREG || m.hardlink; });
  EXPECT_NE(to_file.err.find("ctxpack: packed " + std::to_string(ms.size()) + " entries (" + std::to_string(files) +
                             " files, "),
            std::string::npos)
      << to_file.err;
  EXPECT_NE(to_file.err.find("into a " + human_size(to_stdout.out.size()) + " tar"), std::string::npos) << to_file.err;
}

TEST(PackCommand, ATarWrittenIntoTheContextLeavesItselfOut) {
  ScratchDir d;
  fill(d, "");
  auto r = run_ctxpack({"pack", ".", "-o", "ctx.tar"}, d / "ctx");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("the output being written; left out"), std::string::npos) << r.err;
  for (const auto& m : members(slurp(d / "ctx/ctx.tar"))) EXPECT_EQ(m.name.find("ctx.tar"), std::string::npos);
}

TEST(PackCommand, CompressesAndPrintsTheDigestOfWhatItWrote) {
  ScratchDir d;
  fill(d, "*.log\n");
  ::setenv("SOURCE_DATE_EPOCH", "1000000000", 1);
  auto r =
      run_ctxpack({"pack", "ctx", "--compress", "xz", "--level", "1", "--reproducible", "-o", "ctx.tar.xz"}, d.path());
  ::unsetenv("SOURCE_DATE_EPOCH");
  ASSERT_EQ(r.status, 0) << r.err;
  std::string bytes = slurp(d / "ctx.tar.xz");
  Sha256 h;
  h.update(bytes.data(), bytes.size());
  EXPECT_NE(r.err.find("sha256:" + h.hex_digest() + "  ctx.tar.xz"), std::string::npos) << r.err;
  for (const auto& m : members(bytes)) EXPECT_EQ(m.mtime, 1000000000) << m.name;
  EXPECT_EQ(find(members(bytes), "src/a.c")->data, "int a;\n");
}

TEST(PackCommand, RefusesBadInputWithOneLineAndNoOutput) {
  ScratchDir d;
  fill(d);
  struct Case {
    std::vector<std::string> args;
    std::string says;
  } cases[] = {
      {{"pack", "ctx", "--compress", "gzip", "--level", "12", "-o", "x.tar"}, "out of range"},
      {{"pack", "ctx", "--level", "3", "-o", "x.tar"}, "--level needs --compress"},
      {{"pack", "ctx", "-f", "nope", "-o", "x.tar"}, "nope"},
      {{"pack", "ctx", "-o", "x.tar", "--compress", "lz4"}, "lz4"},
      {{"pack", "ctx", "-o", "no/such/dir/x.tar"}, "no/such/dir/x.tar"},
      {{"pack", "ctx", "-o", "ctx"}, "is a directory"},
  };
  for (const auto& c : cases) {
    auto r = run_ctxpack(c.args, d.path());
    EXPECT_EQ(r.status, 2) << c.says;
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_FALSE(boost::filesystem::exists(d / "x.tar"));
  }
  ::setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
  auto r = run_ctxpack({"pack", "ctx", "--reproducible", "-o", "x.tar"}, d.path());
  ::unsetenv("SOURCE_DATE_EPOCH");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("SOURCE_DATE_EPOCH"), std::string::npos);
  // No Dockerfile: docker build would fail, so pack does unless told.
  ScratchDir e;
  e.write("ctx/a", "a");
  r = run_ctxpack({"pack", "ctx", "-o", "x.tar"}, e.path());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("ctx/Dockerfile"), std::string::npos);
  r = run_ctxpack({"pack", "ctx", "--no-dockerfile", "-o", "x.tar"}, e.path());
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST(PackCommand, WarnsThatOldDaemonsRefuseZstd) {
  ScratchDir d;
  fill(d, "");
  auto r = run_ctxpack({"pack", "ctx", "--compress", "zstd", "-q"}, d.path());
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.err.find("Docker 20.10"), std::string::npos) << r.err;
  EXPECT_EQ(find(members(r.out), "src/a.c")->data, "int a;\n");
}

}  // namespace
}  // namespace ctxpack
