// The parallel gzip writer, read back with libarchive (zlib underneath):
// an independent decoder that must take the concatenated members as one
// stream. tests/pack/test_pack_compress.py does the same with gzip, bsdtar and
// Python on whole packs.
#include "ctxpack/pack/parallel_gzip.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <random>
#include <string>
#include <thread>

#include "ctxpack/pack/tar_writer.h"
#include "cli_support.h"

namespace ctxpack {
namespace {

constexpr size_t kBlock = kParallelGzipBlockSize;

std::string gunzip(const std::string& gz) {
  archive* a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_format_raw(a);
  EXPECT_EQ(archive_read_open_memory(a, gz.data(), gz.size()), ARCHIVE_OK);
  archive_entry* e;
  std::string out;
  if (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    char buf[65536];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    EXPECT_EQ(n, 0) << archive_error_string(a);
  } else {
    ADD_FAILURE() << "not gzip: " << archive_error_string(a);
  }
  archive_read_free(a);
  return out;
}

// Text-like runs with random bytes between them: compressible, but not
// uniformly, so members come out of different sizes.
std::string sample(size_t size) {
  std::mt19937 rng(42);
  std::string s;
  s.reserve(size);
  while (s.size() < size) {
    if (rng() % 4 == 0) {
      for (int i = 0; i < 300; ++i) s += static_cast<char>(rng());
    } else {
      s += "line " + std::to_string(rng() % 1000) + " of a file that repeats itself\n";
    }
  }
  s.resize(size);
  return s;
}

std::string compress(const std::string& input, unsigned workers, size_t chunk, int level = -1) {
  std::string out;
  ParallelGzip gz(level, workers, [&](const char* p, size_t n) { out.append(p, n); });
  for (size_t off = 0; off < input.size(); off += chunk) {
    gz.write(input.data() + off, std::min(chunk, input.size() - off));
  }
  gz.finish();
  return out;
}

TEST(ParallelGzip, RoundTripsAroundBlockEdges) {
  for (size_t size : {size_t{1}, kBlock - 1, kBlock, kBlock + 1, 3 * kBlock + 12345}) {
    const std::string input = sample(size);
    for (unsigned workers : {1u, 3u}) {
      EXPECT_EQ(gunzip(compress(input, workers, 100000)), input) << size << " bytes, " << workers << " workers";
    }
  }
}

// libarchive's raw reader refuses an empty stream, so the one empty member
// is checked byte for byte: header, an empty final stored block, CRC 0 and
// size 0.
TEST(ParallelGzip, EmptyInputIsOneEmptyMember) {
  const std::string gz = compress("", 2, 1);
  ASSERT_EQ(gz.size(), 23u);
  EXPECT_EQ(gz.substr(0, 4), std::string("\x1f\x8b\x08\x00", 4));
  EXPECT_EQ(gz.substr(10), std::string("\x01\x00\x00\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00", 13));
}

TEST(ParallelGzip, SameBytesWhateverTheWorkersAndWriteSizes) {
  const std::string input = sample(5 * kBlock + kBlock / 2);
  const std::string one = compress(input, 1, input.size());
  for (unsigned workers : {1u, 2u, 4u, 7u}) {
    EXPECT_EQ(compress(input, workers, 7777), one) << workers << " workers";
  }
  // One member per block: a new gzip header at each.
  size_t members = 0;
  for (size_t i = 0; i + 3 < one.size(); ++i) {
    if (one.compare(i, 4, "\x1f\x8b\x08\x00", 4) == 0) ++members;
  }
  EXPECT_GE(members, 6u);
}

TEST(ParallelGzip, MembersCarryNoTimeAndNoName) {
  const std::string gz = compress("hello", 2, 5);
  ASSERT_GE(gz.size(), 10u);
  // ID1 ID2, deflate, no flags (so no file name), mtime 0.
  EXPECT_EQ(gz.substr(0, 8), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8));
}

TEST(ParallelGzip, LevelsChangeTheOutputNotTheContent) {
  const std::string input = sample(2 * kBlock);
  const std::string fast = compress(input, 2, kBlock, 1), best = compress(input, 2, kBlock, 9);
  EXPECT_LT(best.size(), fast.size());
  EXPECT_EQ(gunzip(fast), input);
  EXPECT_EQ(gunzip(best), input);
  EXPECT_EQ(compress(input, 2, kBlock), compress(input, 2, kBlock, kParallelGzipDefaultLevel));
}

TEST(ParallelGzip, AnOutputErrorLeavesThroughWriteAndStopsTheWorkers) {
  const std::string input = sample(8 * kBlock);
  int calls = 0;
  auto failing = [&](const char*, size_t) {
    ++calls;
    throw WriteError(ENOSPC);
  };
  try {
    ParallelGzip gz(-1, 2, failing);
    gz.write(input.data(), input.size());
    gz.finish();
    ADD_FAILURE() << "no error";
  } catch (const WriteError& e) {
    EXPECT_EQ(e.error(), ENOSPC);
  }
  EXPECT_EQ(calls, 1);
}

TEST(ParallelGzip, ZeroWorkersMeansOnePerCore) {
  ParallelGzip gz(-1, 0, [](const char*, size_t) {});
  EXPECT_EQ(gz.workers(), std::max(1u, std::thread::hardware_concurrency()));
}

// Through TarStream, as pack writes: the thread count never shows in the bytes.
TEST(ParallelGzip, TarStreamBytesDoNotDependOnThreads) {
  const std::string content = sample(3 * kBlock + 100);
  auto pack = [&](Compression c, unsigned threads) {
    testing::ScratchDir dir;
    const std::string path = dir / "out";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    TarStreamOptions options;
    options.compression = c;
    options.threads = threads;
    TarStream stream(fd, options);
    TarEntry e;
    e.name = "data";
    e.mode = 0644;
    e.size = content.size();
    stream.write_header(e);
    stream.write(content.data(), content.size());
    stream.write_zeros(tar_padding(content.size()));
    stream.finish();
    ::close(fd);
    return testing::slurp(path);
  };
  const std::string tar = pack(Compression::kNone, 0);
  const std::string gz = pack(Compression::kGzip, 1);
  EXPECT_EQ(gunzip(gz), tar);
  EXPECT_EQ(pack(Compression::kGzip, 2), gz);
  EXPECT_EQ(pack(Compression::kGzip, 4), gz);
}

}  // namespace
}  // namespace ctxpack
