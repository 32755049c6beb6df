// The tar encoder follows Go's archive/tar as go-archive drives it, so that
// ctxpack's bytes are the docker client's (tests/pack/test_pack_bytes.py
// checks that against the real client). Here: each rule that decides the
// layout, read back with libarchive as an independent decoder, and the
// output stream's faults.
#include "ctxpack/pack/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "cli_support.h"
#include "ctxpack/support/sha256.h"
#include "fake_filesystem.h"

namespace ctxpack {
namespace {

using testing::ScratchDir;
using testing::slurp;

struct Decoded {
  std::string path, linkname, hardlink, data;
  int type = 0;
  uint32_t mode = 0;
  int64_t size = 0, mtime = 0;
  uint32_t devmajor = 0, devminor = 0;
  std::string capability;
};

// Reads an archive (any compression) with libarchive.
std::vector<Decoded> decode(const std::string& bytes) {
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_filter_all(a);
  EXPECT_EQ(archive_read_open_memory(a, bytes.data(), bytes.size()), ARCHIVE_OK);
  std::vector<Decoded> out;
  archive_entry* e;
  int r;
  // ARCHIVE_WARN: a name that is not valid in the locale's charset.
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    Decoded d;
    d.path = archive_entry_pathname(e);
    if (const char* l = archive_entry_symlink(e)) d.linkname = l;
    if (const char* h = archive_entry_hardlink(e)) d.hardlink = h;
    d.type = static_cast<int>(archive_entry_filetype(e));
    d.mode = archive_entry_perm(e);
    d.size = archive_entry_size(e);
    d.mtime = archive_entry_mtime(e);
    d.devmajor = archive_entry_rdevmajor(e);
    d.devminor = archive_entry_rdevminor(e);
    archive_entry_xattr_reset(e);
    const char* name;
    const void* value;
    size_t len;
    while (archive_entry_xattr_next(e, &name, &value, &len) == ARCHIVE_OK) {
      if (std::string(name) == "security.capability") d.capability.assign(static_cast<const char*>(value), len);
    }
    char buf[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) d.data.append(buf, static_cast<size_t>(n));
    out.push_back(d);
  }
  EXPECT_EQ(r, ARCHIVE_EOF) << archive_error_string(a);
  archive_read_free(a);
  return out;
}

std::string header(const TarEntry& e) {
  std::string out;
  append_tar_header(e, out);
  return out;
}

TarEntry file(std::string_view name, uint64_t size = 0) {
  TarEntry e;
  e.name = name;
  e.mode = 0644;
  e.size = size;
  e.mtime = 1600000000;
  return e;
}

// One whole archive holding `e` with `content`.
std::string archive_of(const TarEntry& e, const std::string& content = "") {
  std::string out = header(e) + content;
  out.append(tar_padding(content.size()), '\0');
  out.append(kTarEndOfArchiveSize, '\0');
  return out;
}

// "<length> <key>=<value>\n", the length counting its own digits.
std::string pax_record(const std::string& key_value) {
  size_t len = key_value.size() + 2;
  size_t digits = 1;
  while (std::to_string(len + digits).size() != digits) ++digits;
  return std::to_string(len + digits) + " " + key_value + "\n";
}

char typeflag(const std::string& block) { return block[156]; }
std::string field(const std::string& block, size_t off, size_t len) { return block.substr(off, len); }

TEST(TarHeader, PlainEntryIsOneUstarBlockFormattedAsGo) {
  std::string h = header(file("hello.txt", 5));
  ASSERT_EQ(h.size(), 512u);
  EXPECT_EQ(typeflag(h), '0');
  // Go's formatOctal: width-1 zero-padded digits and a NUL.
  EXPECT_EQ(field(h, 100, 8), std::string("0000644\0", 8));
  EXPECT_EQ(field(h, 108, 8), std::string("0000000\0", 8));
  EXPECT_EQ(field(h, 124, 12), std::string("00000000005\0", 12));
  EXPECT_EQ(field(h, 136, 12), std::string("13727410000\0", 12));
  EXPECT_EQ(field(h, 257, 8), std::string("ustar\0"
                                          "00",
                                          8));
  // uname/gname empty, device numbers formatted even for a file.
  EXPECT_EQ(field(h, 265, 64), std::string(64, '\0'));
  EXPECT_EQ(field(h, 329, 16), std::string("0000000\0"
                                           "0000000\0",
                                           16));
  // Checksum: six digits, NUL, space.
  EXPECT_EQ(h[154], '\0');
  EXPECT_EQ(h[155], ' ');
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
  EXPECT_EQ(std::stoul(field(h, 148, 6), nullptr, 8), sum);
  EXPECT_EQ(tar_header_size(file("hello.txt", 5)), 512u);
}

TEST(TarHeader, LongPathSplitsIntoPrefixAtTheLastPossibleSlash) {
  std::string name = std::string(60, 'd') + "/" + std::string(60, 'e') + "/file";
  std::string h = header(file(name));
  ASSERT_EQ(h.size(), 512u);
  EXPECT_EQ(field(h, 0, 5), std::string("file\0", 5));
  EXPECT_EQ(h.substr(345, 121), std::string(60, 'd') + "/" + std::string(60, 'e'));
  auto d = decode(archive_of(file(name)));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].path, name);
}

TEST(TarHeader, NamesUstarCannotHoldGetAPaxHeaderNamedLikeGos) {
  struct Case {
    std::string name;
    bool pax;
  } cases[] = {
      {std::string(100, 'n'), false},  // exactly fills the name field
      {std::string(101, 'm'), true},   // one component over 100: no split
      {std::string(100, 'p') + "/" + std::string(100, 'q') + "/" + std::string(80, 'r'), true},
      {std::string(154, 'u') + "/" + std::string(99, 'v') + "/", false},  // a directory that splits
      {"h\xc3\xa9llo", true},                                             // not ASCII
      {"latin1-\xe9.bin", true},                                          // not UTF-8 either: raw bytes
      {"new\nline", false},                                               // control characters are ASCII
  };
  for (const auto& c : cases) {
    TarEntry e = file(c.name);
    if (c.name.back() == '/') e.type = TarType::kDirectory;
    std::string h = header(e);
    EXPECT_EQ(h.size() > 512, c.pax) << c.name;
    EXPECT_EQ(tar_header_size(e), h.size()) << c.name;
    if (c.pax) {
      EXPECT_EQ(typeflag(h), 'x');
      std::string records = h.substr(512, std::stoul(field(h, 124, 11), nullptr, 8));
      EXPECT_EQ(records, pax_record("path=" + c.name)) << c.name;
      // The main header keeps what is ASCII of the name, cut to 100 bytes.
      std::string main = h.substr(h.size() - 512);
      EXPECT_EQ(typeflag(main), '0');
    }
    auto d = decode(archive_of(e));
    ASSERT_EQ(d.size(), 1u) << c.name;
    EXPECT_EQ(d[0].path, c.name);
  }
  // The extended header's own name: PaxHeaders.0 beside the entry.
  std::string h = header(file("dir/sub/" + std::string(120, 'L')));
  EXPECT_EQ(h.substr(0, 100), ("dir/sub/PaxHeaders.0/" + std::string(120, 'L')).substr(0, 100));
  h = header(file("caf\xc3\xa9"));
  EXPECT_EQ(h.substr(0, h.find('\0')), "PaxHeaders.0/caf");
  EXPECT_EQ(h.substr(1024, h.substr(1024).find('\0')), "caf");
}

TEST(TarHeader, ATruncatedNameNeverEndsInSlash) {
  // A 100-byte cut ending in '/' would look like a directory to some
  // readers: Go ends the field before the slashes.
  std::string name = std::string(99, 'a') + "//" + std::string(20, 'b') + "\xc3\xa9";
  std::string main = header(file(name)).substr(1024);
  EXPECT_EQ(main.substr(0, 100), std::string(99, 'a') + std::string(1, '\0'));
}

TEST(TarHeader, MtimeUsesUstarUpTo2242AndPaxOutside) {
  // libarchive switches to PAX at 2^31; Go (and so Docker) at 2^33.
  for (int64_t t : {int64_t{0}, int64_t{3000000000}, (int64_t{1} << 33) - 1}) {
    TarEntry e = file("t");
    e.mtime = t;
    EXPECT_EQ(header(e).size(), 512u) << t;
    EXPECT_EQ(decode(archive_of(e))[0].mtime, t);
  }
  for (int64_t t : {int64_t{-86400}, int64_t{1} << 33, int64_t{9000000000}}) {
    TarEntry e = file("t");
    e.mtime = t;
    std::string h = header(e);
    ASSERT_EQ(typeflag(h), 'x') << t;
    EXPECT_NE(h.find(" mtime=" + std::to_string(t) + "\n"), std::string::npos);
    // The USTAR field holds 0 when the record carries the value.
    EXPECT_EQ(field(h.substr(1024), 136, 12), std::string("00000000000\0", 12));
    EXPECT_EQ(decode(archive_of(e))[0].mtime, t);
  }
}

TEST(TarHeader, CapabilityGoesIntoASchilyRecordAndRecordsAreSorted) {
  const std::string cap("\0\0\0\x02\0\x04\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
  const std::string name(120, 'c');  // outlives `e`, which only views it
  TarEntry e = file(name);
  e.capability = cap;
  e.mtime = -1;
  std::string h = header(e);
  ASSERT_EQ(typeflag(h), 'x');
  std::string records = h.substr(512, std::stoul(field(h, 124, 11), nullptr, 8));
  size_t s = records.find("SCHILY.xattr.security.capability="), m = records.find("mtime="), p = records.find("path=");
  ASSERT_NE(s, std::string::npos);
  EXPECT_LT(s, m);
  EXPECT_LT(m, p);
  auto d = decode(archive_of(e));
  EXPECT_EQ(d[0].capability, cap);
  // Even a short plain name gets a PAX header for it.
  TarEntry small = file("ping");
  small.capability = cap;
  EXPECT_GT(header(small).size(), 512u);
}

TEST(TarHeader, PaxRecordLengthCountsItsOwnDigits) {
  // "NN path=<name>\n": at 100 bytes the length field grows a digit.
  for (size_t n = 85; n < 100; ++n) {
    std::string name(n, 'x');
    name[50] = '/';
    name += "\xc3\xa9";  // forces a PAX path
    std::string h = header(file(name));
    std::string records = h.substr(512, std::stoul(field(h, 124, 11), nullptr, 8));
    EXPECT_EQ(std::to_string(records.size()), records.substr(0, records.find(' '))) << n;
  }
}

TEST(TarHeader, LinksDevicesAndBigSizes) {
  TarEntry link = file("b");
  link.type = TarType::kHardlink;
  link.linkname = "a";
  TarEntry sym = file("s");
  sym.type = TarType::kSymlink;
  sym.mode = 0777;
  std::string target(150, 'z');
  sym.linkname = target;
  TarEntry dev = file("null");
  dev.type = TarType::kCharDevice;
  dev.devmajor = 1;
  dev.devminor = 3;
  std::string all = header(link) + header(sym) + header(dev) + std::string(1024, '\0');
  auto d = decode(all);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].hardlink, "a");
  EXPECT_EQ(d[1].linkname, target);
  EXPECT_EQ(d[2].devmajor, 1u);
  EXPECT_EQ(d[2].devminor, 3u);
  EXPECT_NE(header(sym).find(" linkpath=" + target), std::string::npos);

  TarEntry big = file("big", uint64_t{9} << 30);
  std::string h = header(big);
  EXPECT_EQ(typeflag(h), 'x');
  EXPECT_NE(h.find(" size=9663676416\n"), std::string::npos);
  EXPECT_EQ(tar_entry_size(big), 1536 + (uint64_t{9} << 30));
}

TEST(TarHeader, CapabilityRevision3BecomesRevision2) {
  std::string v3("\0\0\0\x03\0\x04\0\0\0\0\0\0\0\0\0\0\0\0\0\0\xe8\x03\0\0", 24);
  std::string v2 = docker_capability(v3);
  EXPECT_EQ(v2.size(), 20u);
  EXPECT_EQ(v2[3], 2);
  EXPECT_EQ(v2, std::string("\0\0\0\x02\0\x04\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20));
  EXPECT_EQ(docker_capability(v2), v2);
}

TEST(Sha256, KnownDigests) {
  auto digest = [](const std::string& s, size_t chunk) {
    Sha256 h;
    for (size_t i = 0; i < s.size(); i += chunk) h.update(s.data() + i, std::min(chunk, s.size() - i));
    return h.hex_digest();
  };
  EXPECT_EQ(digest("", 1), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(digest("abc", 1), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(digest(two_blocks, 7), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  std::string million(1000000, 'a');
  EXPECT_EQ(digest(million, 4096), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(digest(million, 1000000), digest(million, 63));
}

class FdInput : public InputFile {
 public:
  explicit FdInput(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY)) {}
  ~FdInput() override { ::close(fd_); }
  ssize_t read(void* buf, size_t len) override { return ::read(fd_, buf, len); }
  int fd() const override { return fd_; }

 private:
  int fd_;
};

struct Output {
  ScratchDir dir;
  std::string path = dir / "out";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ~Output() { ::close(fd); }
  std::string bytes() const { return slurp(path); }
};

TEST(TarStream, CopiesExactlyTheHeaderSizeAndReportsGrowth) {
  for (bool through_fd : {false, true}) {
    ScratchDir src;
    // Bigger than the sendfile threshold, so both paths are exercised.
    std::string content(300000, 'x');
    content += "tail";
    src.write("f", content + "grown");
    Output out;
    TarStream stream(out.fd, TarStreamOptions{});
    bool grew = false;
    int64_t n;
    if (through_fd) {
      FdInput in(src / "f");
      n = stream.copy_file(in, content.size(), &grew);
    } else {
      testing::StringInputFile in(content + "grown");
      n = stream.copy_file(in, content.size(), &grew);
    }
    EXPECT_EQ(n, static_cast<int64_t>(content.size()));
    EXPECT_TRUE(grew);
    stream.finish();
    EXPECT_EQ(out.bytes(), content + std::string(1024, '\0'));
    EXPECT_EQ(stream.tar_bytes(), content.size() + 1024);
  }
}

TEST(TarStream, ReportsAShortFileWithoutPadding) {
  for (size_t size : {size_t{10}, size_t{200000}}) {
    ScratchDir src;
    src.write("f", std::string(size, 'y'));
    Output out;
    TarStream stream(out.fd, TarStreamOptions{});
    FdInput in(src / "f");
    bool grew = true;
    EXPECT_EQ(stream.copy_file(in, size + 100, &grew), static_cast<int64_t>(size));
    EXPECT_FALSE(grew);
  }
}

TEST(TarStream, CompressedOutputDecodesToTheSameArchive) {
  TarEntry e = file("data.txt", 11);
  for (Compression c : {Compression::kGzip, Compression::kBzip2, Compression::kXz, Compression::kZstd}) {
    Output out;
    TarStreamOptions options;
    options.compression = c;
    options.level = c == Compression::kZstd ? 19 : 9;
    TarStream stream(out.fd, options);
    stream.write_header(e);
    stream.write("hello world", 11);
    stream.write_zeros(tar_padding(11));
    stream.finish();
    std::string bytes = out.bytes();
    EXPECT_EQ(stream.output_bytes(), bytes.size()) << compression_name(c);
    EXPECT_EQ(stream.tar_bytes(), 512u + 512u + 1024u);
    auto d = decode(bytes);
    ASSERT_EQ(d.size(), 1u) << compression_name(c);
    EXPECT_EQ(d[0].data, "hello world");
    // The same input compresses to the same bytes (no timestamp in gzip).
    Output again;
    TarStream second(again.fd, options);
    second.write_header(e);
    second.write("hello world", 11);
    second.write_zeros(tar_padding(11));
    second.finish();
    EXPECT_EQ(again.bytes(), bytes) << compression_name(c);
  }
}

TEST(TarStream, Sha256IsOfTheBytesWritten) {
  Output out;
  TarStreamOptions options;
  options.sha256 = true;
  options.compression = Compression::kGzip;
  TarStream stream(out.fd, options);
  stream.write_header(file("x"));
  stream.finish();
  Sha256 h;
  std::string bytes = out.bytes();
  h.update(bytes.data(), bytes.size());
  EXPECT_EQ(stream.sha256_hex(), h.hex_digest());
}

TEST(TarStream, LevelsOutOfRangeAreRefused) {
  auto open = [](Compression c, int level) {
    TarStreamOptions o;
    o.compression = c;
    o.level = level;
    TarStream(::open("/dev/null", O_WRONLY | O_CLOEXEC), o);
  };
  EXPECT_THROW(open(Compression::kGzip, 10), Error);
  EXPECT_THROW(open(Compression::kNone, 1), Error);
  EXPECT_THROW(open(Compression::kZstd, 23), Error);
  EXPECT_NO_THROW(open(Compression::kXz, 0));
  EXPECT_NO_THROW(open(Compression::kZstd, 22));
  EXPECT_EQ(compression_levels(Compression::kXz).lowest, 0);
  EXPECT_EQ(compression_levels(Compression::kZstd).highest, 22);
}

TEST(TarStream, AClosedPipeIsAWriteError) {
  std::signal(SIGPIPE, SIG_IGN);
  for (Compression c : {Compression::kNone, Compression::kGzip}) {
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    ::close(p[0]);
    TarStreamOptions options;
    options.compression = c;
    try {
      TarStream stream(p[1], options);
      stream.write_header(file("x"));
      stream.finish();
      ADD_FAILURE() << "no error writing into a closed pipe";
    } catch (const WriteError& e) {
      EXPECT_EQ(e.error(), EPIPE);
      EXPECT_NE(std::string(e.what()).find("pipe was closed"), std::string::npos);
    }
    ::close(p[1]);
  }
}

}  // namespace
}  // namespace ctxpack
