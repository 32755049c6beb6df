// pack -o: the output file appears complete or not at all, even when the
// user interrupts ctxpack.
#pragma once

#include <string>

namespace ctxpack::cli {

// A file that appears complete or not at all: written under a temporary
// name beside it, flushed to disk and renamed over it by commit(). Until
// then the temporary file is removed by the destructor (so by any error)
// and by SIGINT, SIGTERM and SIGHUP, which are handled while it exists.
class AtomicOutput {
 public:
  explicit AtomicOutput(const std::string& path);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;
  int fd() const { return fd_; }
  void commit();

 private:
  std::string path_, temp_;
  int fd_ = -1;
};

}  // namespace ctxpack::cli
