// Tar entries exactly as the docker CLI writes them, and the stream that
// carries them out.
//
// Docker's client archives the context with Go's archive/tar, asking for
// the PAX format: each header is plain USTAR when every field fits (a long
// path split into prefix and name), otherwise a per-entry PAX extended
// header ("PaxHeaders.0/<name>", records sorted by key) followed by the
// USTAR block. Never a global header, never GNU extensions, and the archive
// ends with two zero blocks and no further padding. The encoder below
// follows those rules field for field, so the bytes equal the docker
// client's upload.
//
// libarchive 3.6 cannot be steered into that layout (a name that is not
// UTF-8 gets an extra hdrcharset record, mtimes between 2038 and 2242 get a
// PAX header where Go writes USTAR, and its binary mode puts a PAX header
// on every entry), so headers are encoded here; libarchive provides the
// compression filters but gzip's, which is parallel_gzip.h's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ctxpack/support/error.h"
#include "ctxpack/support/filesystem.h"
#include "ctxpack/support/sha256.h"

namespace ctxpack {

enum class TarType : char {
  kRegular = '0',
  kHardlink = '1',
  kSymlink = '2',
  kCharDevice = '3',
  kBlockDevice = '4',
  kDirectory = '5',
  kFifo = '6',
};

struct TarEntry {
  std::string_view name;  // slash-separated; directories end in '/'
  TarType type = TarType::kRegular;
  uint32_t mode = 0;          // permission bits plus setuid, setgid, sticky
  uint64_t size = 0;          // content bytes that follow (regular files only)
  int64_t mtime = 0;          // whole seconds
  std::string_view linkname;  // symlink target, or a hardlink's first archived name
  uint32_t devmajor = 0, devminor = 0;
  std::string_view capability;  // security.capability as archived (see docker_capability); empty: none
};

inline constexpr uint64_t kTarBlockSize = 512;
// Two zero blocks end the archive; Go pads no further.
inline constexpr uint64_t kTarEndOfArchiveSize = 2 * kTarBlockSize;

inline constexpr uint64_t tar_padding(uint64_t size) { return (kTarBlockSize - size % kTarBlockSize) % kTarBlockSize; }

// Appends the header blocks of `e` to `out`.
void append_tar_header(const TarEntry& e, std::string& out);

// The size of those blocks, computed without encoding them.
uint64_t tar_header_size(const TarEntry& e);

// Everything `e` occupies in the archive: header blocks, content, padding.
inline uint64_t tar_entry_size(const TarEntry& e) { return tar_header_size(e) + e.size + tar_padding(e.size); }

// The security.capability value as Docker archives it: a
// VFS_CAP_REVISION_3 value (namespaced root uid) becomes revision 2,
// cut to 20 bytes.
std::string docker_capability(std::string value);

enum class Compression { kNone, kGzip, kBzip2, kXz, kZstd };

// "none", "gzip", "bzip2", "xz", "zstd".
const char* compression_name(Compression c);

// The levels the compressor accepts, lowest and highest; {0, 0} for none.
struct LevelRange {
  int lowest = 0, highest = 0;
};
LevelRange compression_levels(Compression c);

struct TarStreamOptions {
  Compression compression = Compression::kNone;
  int level = -1;
  // Threads compressing gzip; 0: one per core. The bytes do not depend on it.
  unsigned threads = 0;
  // Feed every output byte through SHA-256 (so file contents go through
  // memory rather than being spliced).
  bool sha256 = false;
};

// The output could not be written (disk full, pipe closed...).
class WriteError : public Error {
 public:
  explicit WriteError(int err);
  int error() const { return errno_; }

 private:
  int errno_;
};

class TarCompressor;

// The output: a buffer in front of a file descriptor, optionally through a
// compressor. Contents are read straight into the
// buffer; large files bypass it with sendfile() when nothing needs to see
// the bytes. Every write failure throws WriteError.
class TarStream {
 public:
  TarStream(int fd, const TarStreamOptions& options);
  ~TarStream();
  TarStream(const TarStream&) = delete;
  TarStream& operator=(const TarStream&) = delete;

  void write_header(const TarEntry& e);
  void write(const void* data, size_t len);
  void write_zeros(uint64_t len);

  // Copies up to `len` bytes of `file` (from its current offset) into the
  // archive; fewer only at end of file. Sets *grew when the file turned
  // out to hold more than `len` bytes. Returns the bytes copied, or -errno
  // when reading failed (after copying what it could).
  int64_t copy_file(InputFile& file, uint64_t len, bool* grew);

  // Writes the end-of-archive blocks and flushes everything, compressor
  // included.
  void finish();

  int fd() const { return fd_; }
  uint64_t tar_bytes() const { return tar_bytes_; }        // uncompressed archive so far
  uint64_t output_bytes() const { return output_bytes_; }  // what reached the descriptor
  std::string sha256_hex() const;                          // of the output; requires options.sha256

 private:
  void flush();
  void emit(const char* data, size_t len);
  void raw_write(const char* data, size_t len);

  int fd_;
  TarStreamOptions options_;
  std::unique_ptr<char[]> buf_;
  size_t len_ = 0;
  std::string header_;  // reused: no allocation per entry
  uint64_t tar_bytes_ = 0;
  uint64_t output_bytes_ = 0;
  std::unique_ptr<TarCompressor> sink_;
  Sha256 sha_;
  bool can_sendfile_ = false;
};

}  // namespace ctxpack
