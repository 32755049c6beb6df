// SHA-256 (FIPS 180-4), for the digest `pack --reproducible` prints. Uses
// the CPU's SHA extensions when present.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ctxpack {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t len);
  // The digest as 64 lower-case hex digits; the object is spent afterwards.
  std::string hex_digest();

 private:
  void blocks(const uint8_t* p, size_t n);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

}  // namespace ctxpack
