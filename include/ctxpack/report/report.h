// `ctxpack report`: what the context weighs, where the weight is, what a
// rule would save, and the findings (rule_lint.h, hazards.h,
// builder_diff.h) — measured in one walk of the context (plus, for the
// builder comparison, a walk of what each other builder sends).
//
// Memory grows with the number of directories, never with the number of
// files: sizes are summed up a stack of open directories as the pre-order
// walk leaves them, and only the N largest files and directories, the
// totals per extension, per rule and per suggestion, the directories of
// the du tree (down to --depth), and the inodes of sent files with several
// links (the tar needs them too) are kept.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ctxpack/context/context.h"
#include "ctxpack/report/finding.h"
#include "ctxpack/report/verify.h"

namespace ctxpack {

struct ReportOptions {
  size_t top = 10;  // largest files, heaviest directories, du children per directory, extensions in text
  int depth = 2;    // du tree depth (0: the context only)
  // Also walk what each other builder sends and report every difference.
  bool compare_builders = true;
  // How the Dockerfile is evaluated when a proposed change is checked
  // against its COPY plan (build args, target).
  BuildOptions build;
};

struct SizeEntry {
  std::string path;  // directories end in '/'
  uint64_t bytes = 0;
  uint64_t files = 0;
};

// A directory of the du tree: what is sent from below it.
struct TreeNode {
  std::string path;  // "." for the context itself, directories end in '/'
  uint64_t bytes = 0;
  uint64_t files = 0;
  std::vector<TreeNode> children;  // heaviest first, at most `top`
  uint64_t more = 0;               // children left out
  uint64_t more_bytes = 0;
};

struct ExtensionTotal {
  std::string extension;  // ".js"; "" for names without one
  uint64_t files = 0;
  uint64_t bytes = 0;
};

// A rule to add that keeps out something that rarely belongs in a context,
// tried before it is proposed (verify.h).
struct Suggestion {
  std::string rule;     // the exact line for the ignore file
  std::string reason;   // "dependency tree", "log file"...
  std::string example;  // one path it would exclude
  uint64_t files = 0;   // sent files it keeps out, measured
  uint64_t bytes = 0;   // content bytes it takes out of the tar, measured
  IgnoreEdit fix;       // the line appended to the ignore file
  bool copy_checked = false;  // the Dockerfile's COPY plan was compared with it
};

// What one rule of the ignore file decides.
struct RuleUse {
  Rule rule;           // a rule of the file, or one the client adds
  uint64_t paths = 0;  // entries whose verdict it decides
  uint64_t files = 0;  // regular files among them...
  uint64_t bytes = 0;  // ...and their sizes
};

struct Report {
  std::string context;  // absolute
  const Builder* builder = &default_builder();
  std::string dockerfile;   // as the user would write it
  std::string ignore_file;  // "" when none applies
  bool compared = false;    // whether the other builders' selections were compared

  // What is sent. A hardlink counts as a file; its content only once.
  uint64_t files = 0;
  uint64_t dirs = 0;
  uint64_t symlinks = 0;
  uint64_t others = 0;  // FIFOs and devices (sockets are never sent)
  uint64_t bytes = 0;
  uint64_t tar_bytes = 0;  // the uncompressed tar `ctxpack pack` writes
  // Regular files of the context that are not sent, and their sizes (a
  // hardlinked file's at each of its names).
  uint64_t excluded_files = 0;
  uint64_t excluded_bytes = 0;

  std::vector<SizeEntry> largest_files;
  std::vector<SizeEntry> largest_dirs;
  TreeNode tree;
  int depth = 0;
  std::vector<ExtensionTotal> extensions;  // heaviest first
  std::vector<Suggestion> suggestions;     // heaviest first
  std::vector<RuleUse> rules;              // in file order
  std::vector<Finding> findings;           // errors first, then warnings, then infos
  std::vector<std::string> warnings;       // what the walk tolerated (an unreadable excluded directory...)
};

// Opens the context, walks it and measures everything. Throws Error where
// reading the context fails (a missing context, a malformed ignore file,
// an unreadable directory BuildKit would need, a malformed pattern the
// builder evaluates).
Report make_report(const ContextOptions& context, const ReportOptions& options);

}  // namespace ctxpack
