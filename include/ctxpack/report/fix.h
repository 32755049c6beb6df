// ctxpack fix: the changes `report` proposes, applied to the ignore file
// together and tried again as a whole for every builder asked, so that the
// file can be rewritten without reading the findings; or an allowlist
// written from what the Dockerfile's COPY/ADD sources need.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ctxpack/builders/builder.h"
#include "ctxpack/context/context.h"
#include "ctxpack/dockerfile/dockerfile.h"
#include "ctxpack/report/verify.h"

namespace ctxpack {

struct FixOptions {
  // Every one must hold the result; the first one's ignore file is written.
  std::vector<const Builder*> builders;
  BuildOptions build;
  // Start from "*" and one exception per COPY/ADD source the build needs.
  bool allowlist = false;
};

struct FixChange {
  std::optional<size_t> line;  // the line replaced (1-based); nullopt for a line added
  std::string old_text;        // the line replaced, as it was
  std::optional<std::string> text;  // the new line(s, "\n" between); nullopt deletes the line
  std::string reason;          // why ("build output", "secret: ...", "\"dist\" matches only at the root")
  uint64_t files = 0;          // what it keeps out on its own, measured with the first builder
  uint64_t bytes = 0;
};

struct FixCheck {
  const Builder* builder = nullptr;
  Verified result;  // the new file as a whole against the current one
};

struct Fix {
  std::string file;  // the ignore file written, as the user names it
  bool exists = false;
  std::string before;
  std::string after;  // == before when there is nothing to change
  bool allowlist = false;
  std::vector<FixChange> changes;
  std::vector<FixCheck> checks;
  std::vector<std::string> notes;  // what was not done, and why
  bool changed() const { return after != before || (!exists && !after.empty()); }
};

Fix make_fix(const ContextOptions& context, const FixOptions& options);

}  // namespace ctxpack
