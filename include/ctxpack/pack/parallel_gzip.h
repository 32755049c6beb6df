// gzip on every core: the input is cut into fixed-size blocks, each
// compressed by a worker thread (libdeflate) into a gzip member of its
// own, and the members are written in input order.
//
// Concatenated members are one valid gzip stream (RFC 1952, 2.2): gzip,
// Python's gzip module, libarchive and Go's compress/gzip (which the
// Docker daemon reads contexts with) decompress it whole. Each member
// starts afresh, without the previous block's window, which costs well
// under 1% on blocks this size.
//
// Block boundaries depend on the input alone, never on the number of
// workers or on timing, and every member header is the same (mtime 0, no
// name), so the same input gives the same bytes whatever the worker count.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace ctxpack {

// The levels libdeflate shares with zlib's; pack's gzip range is 1-9.
inline constexpr int kParallelGzipDefaultLevel = 6;

// Uncompressed bytes per member.
inline constexpr size_t kParallelGzipBlockSize = size_t{1} << 20;

class ParallelGzip {
 public:
  // Receives the compressed stream, always on the thread that calls write()
  // and finish(), so it may throw: the exception leaves through them.
  using Output = std::function<void(const char* data, size_t len)>;

  // `level` -1: kParallelGzipDefaultLevel. `workers` 0: one per core.
  // Memory: two blocks in flight per worker, each about twice the block
  // size with its compressed copy, plus each worker's compressor state.
  ParallelGzip(int level, unsigned workers, Output output);
  // Stops the workers, discarding what was not written yet.
  ~ParallelGzip();
  ParallelGzip(const ParallelGzip&) = delete;
  ParallelGzip& operator=(const ParallelGzip&) = delete;

  void write(const char* data, size_t len);
  // Compresses what is left and writes every member. An empty input still
  // gives one (empty) member: zero bytes are no gzip stream.
  void finish();

  unsigned workers() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ctxpack
