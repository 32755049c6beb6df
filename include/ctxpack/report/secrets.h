// Which files hold secrets people rarely mean to send to a daemon or copy
// into an image: by name, and for some by their first bytes.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "ctxpack/report/finding.h"

namespace ctxpack {

// Why a sent file is risky by its name (and, for some, its first bytes):
// "" when it is not. `read_head` returns the start of the file (it is only
// called for names whose risk depends on content).
struct SecretKind {
  const char* what = nullptr;  // "private key", "AWS credentials"...; null when not secret-prone
  Severity severity = Severity::kError;
};
SecretKind classify_secret(std::string_view path, const std::function<std::string()>& read_head);

}  // namespace ctxpack
