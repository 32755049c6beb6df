#include "ctxpack/pack/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <thread>

#include "ctxpack/pack/parallel_gzip.h"

namespace ctxpack {

namespace {

// USTAR header layout: offset and width of each field.
struct Field {
  size_t off, len;
};
constexpr Field kName{0, 100}, kMode{100, 8}, kUid{108, 8}, kGid{116, 8}, kSize{124, 12}, kMtime{136, 12},
    kChecksum{148, 8}, kLinkname{157, 100}, kMagic{257, 6}, kVersion{263, 2}, kDevmajor{329, 8}, kDevminor{337, 8},
    kPrefix{345, 155};
constexpr size_t kTypeflag = 156;

// Go's isASCII: no byte >= 0x80 and no NUL.
bool is_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80 || c == 0) return false;
  }
  return true;
}

// Go's toASCII, used where a field has to hold something printable:
// every non-ASCII byte is dropped.
std::string to_ascii(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x80 && c != 0) out += static_cast<char>(c);
  }
  return out;
}

bool fits_octal(size_t width, int64_t x) { return x >= 0 && (width >= 22 || x < (int64_t{1} << ((width - 1) * 3))); }

// Go's formatString on a zero-filled block: truncates, and never leaves a
// '/' as the last byte of a truncated name (buggy readers would take a
// file for a directory).
void put_string(char* block, Field f, std::string_view s) {
  char* b = block + f.off;
  // An empty view may have a null data(), which memcpy must not get.
  if (s.empty()) return;
  std::memcpy(b, s.data(), std::min(s.size(), f.len));
  if (s.size() > f.len && b[f.len - 1] == '/') {
    size_t n = f.len;
    while (n > 0 && b[n - 1] == '/') --n;
    b[n] = 0;
  }
}

// Go's formatOctal: zero-padded to width-1 digits then NUL; a value that
// does not fit is written as 0 (a PAX record carries it).
void put_octal(char* block, Field f, int64_t x) {
  if (!fits_octal(f.len, x)) x = 0;
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + (x & 7));
    x >>= 3;
  } while (x);
  char* b = block + f.off;
  std::memset(b, '0', f.len - 1);
  for (int i = 0; i < n; ++i) b[f.len - 2 - i] = digits[i];
}

void finish_block(char* block, TarType type) {
  block[kTypeflag] = static_cast<char>(type);
  std::memcpy(block + kMagic.off, "ustar", 6);
  std::memcpy(block + kVersion.off, "00", 2);
  std::memset(block + kChecksum.off, ' ', kChecksum.len);
  int64_t sum = 0;
  for (size_t i = 0; i < kTarBlockSize; ++i) sum += static_cast<unsigned char>(block[i]);
  put_octal(block, Field{kChecksum.off, 7}, sum);
  block[kChecksum.off + 6] = 0;
  block[kChecksum.off + 7] = ' ';
}

// Go's splitUSTARPath: the last '/' within the first 156 bytes that leaves
// a name of at most 100 bytes and a prefix of at most 155.
bool split_ustar_path(std::string_view name, std::string_view* prefix, std::string_view* suffix) {
  size_t length = name.size();
  if (length <= kName.len || !is_ascii(name)) return false;
  if (length > kPrefix.len + 1) {
    length = kPrefix.len + 1;
  } else if (name[length - 1] == '/') {
    --length;
  }
  size_t i = name.substr(0, length).rfind('/');
  if (i == std::string_view::npos || i == 0) return false;
  size_t nlen = name.size() - i - 1;
  if (nlen > kName.len || nlen == 0 || i > kPrefix.len) return false;
  *prefix = name.substr(0, i);
  *suffix = name.substr(i + 1);
  return true;
}

// Go's formatPAXRecord: "<len> <key>=<value>\n", the length counting itself.
void append_pax_record(std::string& out, std::string_view key, std::string_view value) {
  size_t size = key.size() + value.size() + 3;
  size += std::to_string(size).size();
  std::string len = std::to_string(size);
  if (len.size() + 1 + key.size() + 1 + value.size() + 1 != size) len = std::to_string(size + 1);
  out += len;
  out += ' ';
  out += key;
  out += '=';
  out += value;
  out += '\n';
}

// What Go's writer decides for an entry: plain USTAR (with the path split
// when needed), or a PAX extended header holding `records`.
struct HeaderPlan {
  bool pax = false;
  std::string records;  // sorted by key, as Go sorts them
  std::string_view prefix, name;
};

HeaderPlan plan_header(const TarEntry& e) {
  HeaderPlan plan;
  plan.name = e.name;
  bool ustar = true;
  const bool long_name = !is_ascii(e.name) || e.name.size() > kName.len;
  if (long_name && !split_ustar_path(e.name, &plan.prefix, &plan.name)) ustar = false;
  const bool long_link = !is_ascii(e.linkname) || e.linkname.size() > kLinkname.len;
  const bool big_size = !fits_octal(kSize.len, static_cast<int64_t>(e.size));
  const bool odd_mtime = !fits_octal(kMtime.len, e.mtime);
  if (long_link || big_size || odd_mtime || !e.capability.empty()) ustar = false;
  if (ustar) return plan;

  plan.pax = true;
  plan.prefix = {};
  plan.name = e.name;
  // Keys in byte order: upper-case "SCHILY" sorts first.
  if (!e.capability.empty()) append_pax_record(plan.records, "SCHILY.xattr.security.capability", e.capability);
  if (long_link) append_pax_record(plan.records, "linkpath", e.linkname);
  if (odd_mtime) append_pax_record(plan.records, "mtime", std::to_string(e.mtime));
  if (long_name) append_pax_record(plan.records, "path", e.name);
  if (big_size) append_pax_record(plan.records, "size", std::to_string(e.size));
  return plan;
}

// Go names the extended header path.Join(dir, "PaxHeaders.0", file); walk
// names hold no empty, "." or ".." components, so joining is all Clean
// would do.
std::string pax_header_name(std::string_view name) {
  size_t slash = name.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? std::string_view{} : name.substr(0, slash);
  std::string_view file = slash == std::string_view::npos ? name : name.substr(slash + 1);
  std::string out(dir);
  if (!out.empty()) out += '/';
  out += "PaxHeaders.0";
  if (!file.empty()) {
    out += '/';
    out += file;
  }
  out = to_ascii(out);
  if (out.size() > kName.len) out.resize(kName.len);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

void append_tar_header(const TarEntry& e, std::string& out) {
  HeaderPlan plan = plan_header(e);
  if (plan.pax) {
    char block[kTarBlockSize] = {};
    put_string(block, kName, pax_header_name(e.name));
    put_octal(block, kMode, 0);
    put_octal(block, kUid, 0);
    put_octal(block, kGid, 0);
    put_octal(block, kSize, static_cast<int64_t>(plan.records.size()));
    put_octal(block, kMtime, 0);
    finish_block(block, static_cast<TarType>('x'));
    out.append(block, kTarBlockSize);
    out += plan.records;
    out.append(tar_padding(plan.records.size()), '\0');
  }
  char block[kTarBlockSize] = {};
  if (plan.pax) {
    put_string(block, kName, to_ascii(e.name));
    put_string(block, kLinkname, to_ascii(e.linkname));
  } else {
    put_string(block, kName, plan.name);
    put_string(block, kPrefix, plan.prefix);
    put_string(block, kLinkname, e.linkname);
  }
  put_octal(block, kMode, e.mode);
  put_octal(block, kUid, 0);
  put_octal(block, kGid, 0);
  put_octal(block, kSize, static_cast<int64_t>(e.size));
  put_octal(block, kMtime, e.mtime);
  put_octal(block, kDevmajor, e.devmajor);
  put_octal(block, kDevminor, e.devminor);
  finish_block(block, e.type);
  out.append(block, kTarBlockSize);
}

uint64_t tar_header_size(const TarEntry& e) {
  HeaderPlan plan = plan_header(e);
  if (!plan.pax) return kTarBlockSize;
  return 2 * kTarBlockSize + plan.records.size() + tar_padding(plan.records.size());
}

std::string docker_capability(std::string value) {
  constexpr size_t kRevisionOffset = 3, kRevision2Size = 20;
  if (value.size() > kRevisionOffset && value[kRevisionOffset] == 3) {
    value[kRevisionOffset] = 2;
    if (value.size() > kRevision2Size) value.resize(kRevision2Size);
  }
  return value;
}

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kBzip2:
      return "bzip2";
    case Compression::kXz:
      return "xz";
    case Compression::kZstd:
      return "zstd";
  }
  return "none";
}

LevelRange compression_levels(Compression c) {
  switch (c) {
    case Compression::kNone:
      return {0, 0};
    case Compression::kXz:
      return {0, 9};
    case Compression::kZstd:
      return {1, 22};
    case Compression::kGzip:
    case Compression::kBzip2:
      break;
  }
  return {1, 9};
}

namespace {
std::string write_error_message(int err) {
  if (err == EPIPE) return "cannot write the output: the reading end of the pipe was closed";
  return std::string("cannot write the output: ") + std::strerror(err);
}

constexpr size_t kBufferSize = 1 << 20;
// Smaller files are read into the buffer along with their neighbours'
// headers; larger ones go out with sendfile() when nothing has to see them.
constexpr uint64_t kSendfileThreshold = 128 * 1024;

bool is_write_side_error(int err) {
  return err == EPIPE || err == ENOSPC || err == EDQUOT || err == EFBIG || err == ENOBUFS;
}

// A descriptor someone left non-blocking: wait until it takes data.
void wait_writable(int fd) {
  pollfd p{fd, POLLOUT, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}
}  // namespace

WriteError::WriteError(int err) : Error(write_error_message(err)), errno_(err) {}

// Turns tar bytes into compressed bytes and hands them to the output.
class TarCompressor {
 public:
  virtual ~TarCompressor() = default;
  virtual void write(const char* p, size_t n) = 0;
  virtual void finish() = 0;
};

namespace {

using RawOutput = std::function<void(const char*, size_t)>;

// How many threads zstd or xz compress with. Their multithreaded encoders
// cut the stream into jobs (zstd) or blocks (xz) whose size depends on
// the level only, so the bytes are the same for any count of two or
// more; one thread would switch libarchive to the single-threaded
// encoders, whose bytes differ. So at least two, also for --jobs 1: the
// second thread of a one-core job only waits.
unsigned worker_count(Compression, unsigned threads) {
  if (threads == 0) threads = std::thread::hardware_concurrency();
  return std::max(2u, threads);
}

// A libarchive write handle with no format of its own ("raw") and one
// compression filter.
class FilterCompressor final : public TarCompressor {
 public:
  FilterCompressor(RawOutput output, Compression c, int level, unsigned threads)
      : output_(std::move(output)), a_(archive_write_new()) {
    if (!a_) throw Error("out of memory");
    int r = ARCHIVE_OK;
    const char* filter = compression_name(c);
    switch (c) {
      case Compression::kBzip2:
        r = archive_write_add_filter_bzip2(a_);
        break;
      case Compression::kXz:
        r = archive_write_add_filter_xz(a_);
        break;
      case Compression::kZstd:
        r = archive_write_add_filter_zstd(a_);
        break;
      case Compression::kGzip:
      case Compression::kNone:
        break;
    }
    check(r, "cannot set up compression");
    if (level >= 0) {
      check(archive_write_set_filter_option(a_, filter, "compression-level", std::to_string(level).c_str()),
            "cannot set the compression level");
    }
    if (c == Compression::kZstd || c == Compression::kXz) {
      check(archive_write_set_filter_option(a_, filter, "threads", std::to_string(worker_count(c, threads)).c_str()),
            "cannot set the compression threads");
    }
    check(archive_write_set_format_raw(a_), "cannot set up compression");
    check(archive_write_set_bytes_per_block(a_, 0), "cannot set up compression");
    check(archive_write_set_bytes_in_last_block(a_, 1), "cannot set up compression");
    check(archive_write_open2(a_, this, nullptr, &FilterCompressor::on_write, nullptr, nullptr),
          "cannot start compressing");
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, "context.tar");
    archive_entry_set_filetype(entry, AE_IFREG);
    r = archive_write_header(a_, entry);
    archive_entry_free(entry);
    check(r, "cannot start compressing");
  }
  ~FilterCompressor() override { archive_write_free(a_); }

  void write(const char* p, size_t n) override {
    while (n) {
      la_ssize_t r = archive_write_data(a_, p, n);
      if (r <= 0) fail("compressing");
      p += r;
      n -= static_cast<size_t>(r);
    }
  }
  void finish() override {
    if (archive_write_close(a_) != ARCHIVE_OK) fail("compressing");
  }

 private:
  static la_ssize_t on_write(archive* a, void* self, const void* buf, size_t n) {
    auto* sink = static_cast<FilterCompressor*>(self);
    try {
      sink->output_(static_cast<const char*>(buf), n);
    } catch (const WriteError& e) {
      sink->write_errno_ = e.error();
      archive_set_error(a, e.error(), "%s", e.what());
      return -1;
    }
    return static_cast<la_ssize_t>(n);
  }
  void check(int r, const char* what) {
    if (r != ARCHIVE_OK) throw Error(std::string(what) + ": " + archive_error_string(a_));
  }
  [[noreturn]] void fail(const char* what) {
    if (write_errno_) throw WriteError(write_errno_);
    const char* msg = archive_error_string(a_);
    throw Error(std::string(what) + ": " + (msg ? msg : "failed"));
  }

  RawOutput output_;
  archive* a_;
  int write_errno_ = 0;
};

class GzipCompressor final : public TarCompressor {
 public:
  GzipCompressor(RawOutput output, int level, unsigned threads) : gzip_(level, threads, std::move(output)) {}
  void write(const char* p, size_t n) override { gzip_.write(p, n); }
  void finish() override { gzip_.finish(); }

 private:
  ParallelGzip gzip_;
};

}  // namespace

TarStream::TarStream(int fd, const TarStreamOptions& options)
    : fd_(fd), options_(options), buf_(new char[kBufferSize]) {
  const LevelRange levels = compression_levels(options.compression);
  if (options.level != -1 && (options.level < levels.lowest || options.level > levels.highest ||
                              options.compression == Compression::kNone)) {
    throw Error("compression level " + std::to_string(options.level) + " is out of range for " +
                compression_name(options.compression));
  }
  RawOutput output = [this](const char* data, size_t len) { raw_write(data, len); };
  if (options.compression == Compression::kGzip) {
    sink_ = std::make_unique<GzipCompressor>(std::move(output), options.level, options.threads);
  } else if (options.compression != Compression::kNone) {
    sink_ = std::make_unique<FilterCompressor>(std::move(output), options.compression, options.level, options.threads);
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
    // A bigger pipe means fewer wake-ups of the reader; the kernel caps
    // it (pipe-max-size), and failing is harmless.
    ::fcntl(fd, F_SETPIPE_SZ, static_cast<int>(kBufferSize));
  }
  can_sendfile_ = !sink_ && !options.sha256;
}

TarStream::~TarStream() = default;

void TarStream::raw_write(const char* data, size_t len) {
  if (options_.sha256) sha_.update(data, len);
  while (len) {
    ssize_t n = ::write(fd_, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        wait_writable(fd_);
        continue;
      }
      throw WriteError(errno);
    }
    data += n;
    len -= static_cast<size_t>(n);
    output_bytes_ += static_cast<uint64_t>(n);
  }
}

void TarStream::emit(const char* data, size_t len) {
  if (sink_) {
    sink_->write(data, len);
  } else {
    raw_write(data, len);
  }
}

void TarStream::flush() {
  if (len_) emit(buf_.get(), len_);
  len_ = 0;
}

void TarStream::write(const void* data, size_t len) {
  // An empty view may carry a null pointer, which memcpy must never see.
  if (len == 0) return;
  tar_bytes_ += len;
  auto p = static_cast<const char*>(data);
  if (len >= kBufferSize) {
    flush();
    emit(p, len);
    return;
  }
  if (len > kBufferSize - len_) flush();
  std::memcpy(buf_.get() + len_, p, len);
  len_ += len;
}

void TarStream::write_zeros(uint64_t len) {
  tar_bytes_ += len;
  while (len) {
    if (len_ == kBufferSize) flush();
    size_t n = static_cast<size_t>(std::min<uint64_t>(len, kBufferSize - len_));
    std::memset(buf_.get() + len_, 0, n);
    len_ += n;
    len -= n;
  }
}

void TarStream::write_header(const TarEntry& e) {
  header_.clear();
  append_tar_header(e, header_);
  write(header_.data(), header_.size());
}

int64_t TarStream::copy_file(InputFile& file, uint64_t len, bool* grew) {
  *grew = false;
  uint64_t done = 0;
  const int fd = file.fd();
  if (can_sendfile_ && fd >= 0 && len >= kSendfileThreshold) {
    flush();
    while (done < len) {
      ssize_t n = ::sendfile(fd_, fd, nullptr, static_cast<size_t>(std::min<uint64_t>(len - done, 1 << 30)));
      if (n > 0) {
        done += static_cast<uint64_t>(n);
        tar_bytes_ += static_cast<uint64_t>(n);
        output_bytes_ += static_cast<uint64_t>(n);
        continue;
      }
      if (n == 0) return static_cast<int64_t>(done);  // the file shrank
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        wait_writable(fd_);
        continue;
      }
      if (is_write_side_error(errno)) throw WriteError(errno);
      if ((errno == EINVAL || errno == ENOSYS) && done == 0) {
        can_sendfile_ = false;  // this output takes no sendfile(): copy through memory
        break;
      }
      return -errno;
    }
    if (done == len) {
      char probe;
      *grew = file.read(&probe, 1) > 0;
      return static_cast<int64_t>(done);
    }
  }
  bool probed = false;
  while (done < len) {
    if (len_ == kBufferSize) flush();
    const size_t space = kBufferSize - len_;
    const uint64_t want = std::min<uint64_t>(len - done, space);
    // On the last read, ask for one byte more when there is room: a file
    // that grew shows without another system call.
    probed = want == len - done && space > want;
    ssize_t n = file.read(buf_.get() + len_, static_cast<size_t>(want + (probed ? 1 : 0)));
    if (n < 0) return n;
    if (n == 0) return static_cast<int64_t>(done);  // the file shrank
    if (static_cast<uint64_t>(n) > want) {
      *grew = true;
      n = static_cast<ssize_t>(want);
    }
    len_ += static_cast<size_t>(n);
    tar_bytes_ += static_cast<uint64_t>(n);
    done += static_cast<uint64_t>(n);
  }
  if (!probed) {
    char probe;
    *grew = file.read(&probe, 1) > 0;
  }
  return static_cast<int64_t>(done);
}

void TarStream::finish() {
  write_zeros(kTarEndOfArchiveSize);
  flush();
  if (sink_) sink_->finish();
}

std::string TarStream::sha256_hex() const {
  Sha256 copy = sha_;
  return copy.hex_digest();
}

}  // namespace ctxpack
