// What every COPY and ADD of a Dockerfile puts where, per builder, before
// anything is built.
//
// The planner replays the build's file operations on a model: the context
// as the chosen builder lets COPY see it (the ignore file applied; for
// BuildKit only the paths the Dockerfile references are transferred; for
// the classic builder the daemon drops an ignored Dockerfile and
// .dockerignore), and per stage an image tree that starts empty for
// `FROM scratch`, inherits a parent stage, and is unknown for a real image.
// Each builder's rules for expanding sources, following symlinks and
// placing files are applied in its order, and where the builder would fail
// the instruction carries the builder's error instead of entries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/context/context.h"
#include "ctxpack/dockerfile/dockerfile.h"
#include "ctxpack/report/finding.h"

namespace ctxpack {

// Special files are copied as what they are (the classic builder keeps
// FIFOs and devices).
enum class EntryType { kFile, kDir, kSymlink, kFifo, kCharDevice, kBlockDevice };
std::string_view entry_type_name(EntryType t);

// One path an instruction creates (or overwrites) in the image.
struct CopyEntry {
  std::string src;   // context path ("." for the root); "" for a parent directory
                     // created on the way; for --from, the path in that stage
  std::string dest;  // absolute path in the image
  EntryType type = EntryType::kFile;
  uint64_t size = 0;
  std::string link;  // symlink target, verbatim
};

// One source item as the builder copies it: a literal source, or one match
// of a wildcard.
struct CopyItem {
  std::string source;                 // the source word, expanded
  std::string path;                   // what it resolved to in the context ("." for the root)
  std::string dest;                   // the directory its contents merge into, or the file written
  EntryType type = EntryType::kFile;  // after following a symlink source
  bool flattened = false;             // a wildcard matched a directory
  bool archive = false;               // ADD extracts it
  size_t first_entry = 0, entry_count = 0;
  size_t files = 0, dirs = 0, symlinks = 0;
  uint64_t bytes = 0;
};

struct CopyDiagnostic {
  std::string code;          // stable identifier (see README): excluded-source, empty-wildcard, ...
  std::string message;       // one line
  std::optional<Rule> rule;  // the ignore rule involved
  Severity severity = Severity::kWarning;
};

// The severity a diagnostic code has (README: the copy diagnostics): an
// error explains a failing instruction, a warning is something to change,
// an info what is worth knowing. `secret` varies with the evidence.
Severity copy_diagnostic_severity(std::string_view code);

struct CopyInstructionPlan {
  size_t line = 0;
  std::string stage;        // stage name, or its index
  std::string instruction;  // as written (continuations joined)
  std::string from;         // COPY --from=...: copied from that stage or image, not the context
  bool runs = true;         // false when the builder never runs this stage
  bool reached = true;      // false when an earlier instruction already failed the build
  std::optional<std::string> error;
  std::vector<CopyEntry> entries;
  std::vector<CopyItem> items;
  std::vector<CopyDiagnostic> warnings;
  std::vector<std::string> depends_on;  // context files and symlinks read (the layer's cache key)
};

struct Totals {
  uint64_t files = 0;  // regular files
  uint64_t entries = 0;
  uint64_t bytes = 0;  // file content
};

struct CopyPlan {
  const Builder* builder = &default_builder();
  std::vector<CopyInstructionPlan> instructions;  // every COPY and ADD, in file order
  std::vector<CopyDiagnostic> hints;              // whole-build advice: layer-cache order
  std::optional<size_t> fails_at;                 // line of the first failing instruction the build runs
  Totals context;                                 // everything the builder's walk sends
  Totals transfer;                                // what COPY can see (BuildKit: what the sources make it transfer)
  bool transfer_whole = false;                    // some source is the context root
  std::vector<std::string> transfer_paths;        // BuildKit's FollowPaths (when not whole)
  std::string target;                             // the target stage's label
  std::vector<CopyEntry> image;                   // the target stage's tree from COPY/ADD, pre-order
  bool image_complete = false;                    // FROM scratch chain without RUN: `image` is the whole image
};

// Plans every COPY/ADD of `build` against the context of `ctx` (its builder
// decides the rules). Throws Error for what fails before any instruction
// runs (an unreadable context for the classic builder, a malformed ignore
// pattern the walk evaluates).
CopyPlan plan_copies(BuildContext& ctx, const Build& build);

// What one builder moves for a build.
struct BuilderMoves {
  const Builder* builder = nullptr;
  Totals sent;             // its whole selection (files and their bytes)
  uint64_t tar_bytes = 0;  // that selection as `ctxpack pack` writes it
  // What the build's COPY/ADD make it move (BuildKit transfers only what
  // the sources name; the classic builder uploads everything it sends).
  Totals transfer;
  bool transfer_whole = false;
  std::vector<std::string> transfer_paths;
};

struct CopyReport {
  CopyPlan plan;                      // for ctx's builder
  std::vector<BuilderMoves> moves;    // every builder that can build the context, in builders() order
  // Why a builder is missing from `moves` though it takes such a context
  // (its ignore file is one it refuses, say): "not compared with ...".
  std::vector<std::string> warnings;
  // Null for a builder that cannot build this context (a git subdirectory
  // for BuildKit 20.10, git@ URLs for Buildah) or that could not be compared.
  const BuilderMoves* moves_of(const Builder& b) const;
};

// The plan for ctx's builder, and what every builder moves for the same
// Dockerfile (`options` opens the context; `build_options` evaluates the
// Dockerfile, each builder with its own rules).
CopyReport make_copy_report(BuildContext& ctx, const ContextOptions& options, const ParsedDockerfile& parsed,
                            const BuildOptions& build_options);

}  // namespace ctxpack
