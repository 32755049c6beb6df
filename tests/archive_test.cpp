// Archive contexts: the tree the daemon's unpacking leaves (context/archive.h).
// tests/archive/test_archive_daemon.py holds the same cases against the
// real daemon; these pin them without one.
#include "ctxpack/context/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "ctxpack/context/context.h"
#include "ctxpack/context/walk.h"
#include "ctxpack/support/error.h"

namespace ctxpack {
namespace {

struct TarEntry {
  std::string name;
  char kind = 'f';  // f file, d dir, l symlink, h hard link, p fifo, c char device
  std::string data;  // content, or link target
};

std::string make_tar(const std::vector<TarEntry>& entries, bool gzip = false) {
  std::vector<char> buf(1 << 20);
  size_t used = 0;
  struct archive* a = archive_write_new();
  archive_write_set_format_gnutar(a);
  if (gzip) archive_write_add_filter_gzip(a);
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  for (const TarEntry& t : entries) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.name.c_str());
    archive_entry_set_perm(e, t.kind == 'd' ? 0755 : 0644);
    switch (t.kind) {
      case 'f':
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, static_cast<la_int64_t>(t.data.size()));
        break;
      case 'd': archive_entry_set_filetype(e, AE_IFDIR); break;
      case 'l':
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, t.data.c_str());
        break;
      case 'h':
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, t.data.c_str());
        break;
      case 'p': archive_entry_set_filetype(e, AE_IFIFO); break;
      case 'c':
        archive_entry_set_filetype(e, AE_IFCHR);
        archive_entry_set_rdevmajor(e, 1);
        archive_entry_set_rdevminor(e, 3);
        break;
    }
    archive_write_header(a, e);
    if (t.kind == 'f') archive_write_data(a, t.data.data(), t.data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

std::shared_ptr<const ContextArchive> read(const std::string& bytes) {
  int fd = ::memfd_create("archive", 0);
  EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::lseek(fd, 0, SEEK_SET);
  auto archive = read_context_archive_fd(fd, "ctx.tar");
  ::close(fd);
  return archive;
}

// "path type [content]" for every entry, in Docker's walk order.
class Lister : public WalkVisitor {
 public:
  explicit Lister(FileSystem& fs) : fs_(fs) {}
  void visit(const WalkEntry& e) override {
    if (!e.sent) return;
    std::string line(e.path);
    const FileType t = e.entry->info.type;
    line += t == FileType::kDirectory ? " d" : t == FileType::kSymlink ? " l" : t == FileType::kFifo ? " p"
            : t == FileType::kCharDevice ? " c" : " f";
    if (t == FileType::kRegular) {
      std::unique_ptr<InputFile> in;
      EXPECT_EQ(fs_.open_file(e.dir, e.entry->name, &in), 0);
      char buf[256];
      ssize_t n = in->read(buf, sizeof buf);
      line += " " + std::string(buf, static_cast<size_t>(n));
    }
    if (t == FileType::kSymlink) {
      std::string target;
      fs_.read_link(e.dir, e.entry->name, &target);
      line += " " + target;
    }
    lines.push_back(line);
  }
  void warning(const std::string&) override {}
  std::vector<std::string> lines;

 private:
  FileSystem& fs_;
};

std::vector<std::string> list(const std::string& bytes, ArchiveUnpacking unpacking = {}) {
  auto fs = archive_filesystem(read(bytes), unpacking);
  Lister lister(*fs);
  Matcher none({});
  walk(*fs, none, default_builder(), WalkOptions{.stat = true}, lister);
  return lister.lines;
}

using Lines = std::vector<std::string>;

TEST(Archive, ALaterEntryReplacesAnEarlierOneAndDirectoriesMerge) {
  EXPECT_EQ(list(make_tar({{"a", 'f', "first"}, {"a", 'f', "second"}, {"d/x", 'f', "x"}, {"d", 'f', "file"},
                           {"e", 'd'}, {"e/y", 'f', "y"}, {"e", 'd'}})),
            (Lines{"a f second", "d f file", "e d", "e/y f y"}));
}

TEST(Archive, NamesAreCleanedAgainstTheRootAndParentsImplied) {
  EXPECT_EQ(list(make_tar({{"/abs", 'f', "1"}, {"../up", 'f', "2"}, {"a/../b", 'f', "3"}, {"./c/./d", 'f', "4"}})),
            (Lines{"abs f 1", "b f 3", "c d", "c/d f 4", "up f 2"}));
}

TEST(Archive, HardLinksShareTheBytesTheyHadWhenLinked) {
  EXPECT_EQ(list(make_tar({{"a", 'f', "aa"}, {"h", 'h', "a"}, {"a", 'f', "new"}})), (Lines{"a f new", "h f aa"}));
}

TEST(Archive, UnpackingFailuresCarryTheDaemonsReason) {
  auto fails_with = [](const std::vector<TarEntry>& entries, const std::string& reason) {
    try {
      read(make_tar(entries));
      ADD_FAILURE() << "no error for " << reason;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("ctx.tar"), std::string::npos) << e.what();
    }
  };
  fails_with({{"fwd", 'h', "later"}, {"later", 'f', "L"}}, "link /later /fwd: No such file or directory");
  fails_with({{"link", 'l', "/etc"}, {"link/y", 'f', "y"}}, "open /link/y: No such file or directory");
  fails_with({{"d", 'f', "f"}, {"d/x", 'f', "x"}}, "open /d/x: Not a directory");
}

TEST(Archive, ASymlinkMetAsAParentIsFollowedInsideTheRoot) {
  EXPECT_EQ(list(make_tar({{"sub/x", 'f', "x"}, {"link", 'l', "../../sub"}, {"link/y", 'f', "y"},
                           {"link/new/z", 'f', "z"}})),
            (Lines{"link l ../../sub", "sub d", "sub/new d", "sub/new/z f z", "sub/x f x", "sub/y f y"}));
}

TEST(Archive, SpecialFilesAsEachBuilderUnpacksThem) {
  const std::string tar = make_tar({{"fifo", 'p'}, {"null", 'c'}});
  EXPECT_EQ(list(tar), (Lines{"fifo p", "null c"}));
  EXPECT_EQ(list(tar, ArchiveUnpacking{.special_files_as_files = true}), (Lines{"null f "}));
}

TEST(Archive, CompressedAndCorruptArchives) {
  EXPECT_EQ(list(make_tar({{"a", 'f', "z"}}, true)), (Lines{"a f z"}));
  const std::string whole = make_tar({{"a", 'f', std::string(4000, 'x')}});
  EXPECT_THROW(read(whole.substr(0, 1500)), Error);
  EXPECT_THROW(read(std::string(2048, 'x')), Error);
}

TEST(Archive, TheClassicDaemonDeletesOnlyWhatItsIgnoreFileExcludesOfItselfAndTheDockerfile) {
  const std::string tar = make_tar({{"Dockerfile", 'f', "FROM scratch\n"}, {".dockerignore", 'f', "secret\nDockerfile\n"},
                                    {"secret", 'f', "s"}});
  for (const Builder* b : {&legacy_builder(), &buildkit_builder()}) {
    ContextOptions o;
    o.context = "ctx.tar";
    o.builder = b;
    o.archive = read(tar);
    BuildContext ctx = open_build_context(o);
    EXPECT_EQ(ctx.dockerfile_rel, "Dockerfile");
    EXPECT_EQ(ctx.builder->deleted_after_upload(*ctx.matcher),
              b == &legacy_builder() ? std::vector<std::string>{"Dockerfile"} : std::vector<std::string>{});
    ASSERT_TRUE(ctx.unapplied);
    EXPECT_TRUE(ctx.unapplied->matches_or_parents("secret").excluded);
    EXPECT_FALSE(ctx.matcher->matches_or_parents("secret").excluded) << "no ignore rule applies to an archive";
  }
}

// `buildah build - < ctx.tar` unpacks the archive into a directory and
// builds that: Containerfile first, .containerignore before .dockerignore,
// the rules applied.
TEST(Archive, BuildahBuildsTheUnpackedArchiveAsADirectory) {
  const std::string tar = make_tar({{"Dockerfile", 'f', "FROM scratch\n"}, {"Containerfile", 'f', "FROM scratch\n"},
                                    {".dockerignore", 'f', "*\n"}, {".containerignore", 'f', "secret\n"},
                                    {"secret", 'f', "s"}, {"kept", 'f', "k"}});
  ContextOptions o;
  o.context = "-";
  o.builder = &buildah_builder();
  o.archive = read(tar);
  BuildContext ctx = open_build_context(o);
  EXPECT_EQ(ctx.dockerfile_rel, "Containerfile");
  EXPECT_EQ(ctx.ignore_file, ".containerignore");
  EXPECT_TRUE(ctx.ignore_file_applies);
  EXPECT_TRUE(ctx.matcher->matches_or_parents("secret").excluded);
  EXPECT_FALSE(ctx.matcher->matches_or_parents("kept").excluded);
}

}  // namespace
}  // namespace ctxpack
