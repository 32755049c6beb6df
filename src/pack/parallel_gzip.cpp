#include "ctxpack/pack/parallel_gzip.h"

#include <libdeflate.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "ctxpack/support/error.h"

namespace ctxpack {

namespace {

struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};
using Compressor = std::unique_ptr<libdeflate_compressor, CompressorDeleter>;

// One slot of the ring. Its buffers are allocated once and left
// uninitialised, so a small input never touches (or pays for) most of them.
struct Block {
  std::unique_ptr<char[]> in, out;
  size_t in_len = 0, out_len = 0;
  bool done = false;  // compressed, waiting to be written; guarded by the mutex
};

}  // namespace

// Blocks carry sequence numbers; block s lives in slot s % slots. The
// caller's thread fills block `filled_` and writes blocks in order from
// `written_`; workers take blocks from `taken_` up to `filled_`. A slot is
// only refilled after its previous block was written, which bounds memory.
class ParallelGzip::Impl {
 public:
  Impl(int level, unsigned workers, Output output) : output_(std::move(output)) {
    if (level == -1) level = kParallelGzipDefaultLevel;
    if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
    std::vector<Compressor> compressors;
    for (unsigned i = 0; i < workers; ++i) {
      compressors.emplace_back(libdeflate_alloc_compressor(level));
      if (!compressors.back()) throw Error("gzip: cannot set up level " + std::to_string(level));
    }
    out_capacity_ = libdeflate_gzip_compress_bound(compressors.front().get(), kParallelGzipBlockSize);
    // Two per worker: one being compressed while the next waits, so no
    // worker idles while the caller reads ahead.
    slots_.resize(2 * static_cast<size_t>(workers));
    for (Block& b : slots_) {
      b.in.reset(new char[kParallelGzipBlockSize]);
      b.out.reset(new char[out_capacity_]);
    }
    try {
      for (Compressor& c : compressors) {
        threads_.emplace_back([this, c = std::move(c)]() mutable { work(c.get()); });
      }
    } catch (...) {
      stop();
      throw;
    }
  }

  ~Impl() { stop(); }

  void write(const char* data, size_t len) {
    while (len) {
      Block& b = slot(filled_);
      const size_t n = std::min(len, kParallelGzipBlockSize - b.in_len);
      std::memcpy(b.in.get() + b.in_len, data, n);
      b.in_len += n;
      data += n;
      len -= n;
      if (b.in_len == kParallelGzipBlockSize) submit();
    }
  }

  void finish() {
    if (slot(filled_).in_len > 0 || filled_ == 0) submit();
    while (written_ < filled_) write_oldest();
  }

  unsigned workers() const { return static_cast<unsigned>(threads_.size()); }

 private:
  Block& slot(uint64_t seq) { return slots_[seq % slots_.size()]; }

  void submit() {
    {
      std::lock_guard lock(mu_);
      ++filled_;
    }
    work_cv_.notify_one();
    // The next block to fill reuses the slot of block filled_ - slots.
    while (filled_ - written_ >= slots_.size()) write_oldest();
  }

  void write_oldest() {
    Block& b = slot(written_);
    {
      std::unique_lock lock(mu_);
      done_cv_.wait(lock, [&] { return b.done; });
      b.done = false;
    }
    // libdeflate fails only when the output does not fit, which its bound
    // rules out.
    if (b.out_len == 0) throw Error("gzip: compression failed");
    output_(b.out.get(), b.out_len);
    b.in_len = 0;
    ++written_;
  }

  void work(libdeflate_compressor* compressor) {
    for (;;) {
      uint64_t seq;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return stop_ || taken_ < filled_; });
        if (stop_) return;
        seq = taken_++;
      }
      Block& b = slot(seq);
      b.out_len = libdeflate_gzip_compress(compressor, b.in.get(), b.in_len, b.out.get(), out_capacity_);
      {
        std::lock_guard lock(mu_);
        b.done = true;
      }
      done_cv_.notify_all();
    }
  }

  void stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  Output output_;
  size_t out_capacity_ = 0;
  std::vector<Block> slots_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  uint64_t filled_ = 0, written_ = 0, taken_ = 0;  // filled_ and taken_ are guarded by mu_
  bool stop_ = false;
};

ParallelGzip::ParallelGzip(int level, unsigned workers, Output output)
    : impl_(std::make_unique<Impl>(level, workers, std::move(output))) {}

ParallelGzip::~ParallelGzip() = default;

void ParallelGzip::write(const char* data, size_t len) { impl_->write(data, len); }

void ParallelGzip::finish() { impl_->finish(); }

unsigned ParallelGzip::workers() const { return impl_->workers(); }

}  // namespace ctxpack
