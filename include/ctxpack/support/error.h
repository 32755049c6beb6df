// The one error type the library throws for bad input or a failed
// operation. Its message is a complete line for the user (it names the
// file, and the line where there is one); the CLI prints it and exits 2.
#pragma once

#include <stdexcept>
#include <string>

namespace ctxpack {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An errno-based failure: "<what> <path>: <strerror>".
[[noreturn]] void throw_errno(const std::string& what, const std::string& path, int err);

}  // namespace ctxpack
