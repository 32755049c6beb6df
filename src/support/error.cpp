#include "ctxpack/support/error.h"

#include <cstring>

namespace ctxpack {

void throw_errno(const std::string& what, const std::string& path, int err) {
  throw Error(what + " " + path + ": " + std::strerror(err));
}

}  // namespace ctxpack
