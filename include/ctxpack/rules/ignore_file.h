// Reading .dockerignore files the way Docker does, and choosing which one
// a build uses.
//
// Every rule remembers its file, line and original text, so any verdict can
// be traced back to the line a user wrote (like `git check-ignore -v`).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxpack/support/filesystem.h"

namespace ctxpack {

// Where a rule comes from: a line of an ignore file, or the docker client,
// which re-includes the Dockerfile and .dockerignore on its own.
enum class RuleOrigin : unsigned char { kFile, kClient };

struct Rule {
  std::string pattern;  // as Docker's reader returns it: cleaned, "!" kept in front for exceptions
  std::string file;     // the ignore file as the user named it, for messages ("" for kClient)
  size_t line = 0;      // 1-based (0 for kClient)
  std::string text;     // the original line, without line ending
  RuleOrigin origin = RuleOrigin::kFile;
};

// Who wrote the rule, for messages: its file, or "(docker CLI)".
std::string rule_source(const Rule& rule);

struct IgnoreFile {
  std::string path;  // empty when no ignore file applies
  std::vector<Rule> rules;
};

// Docker's reader (ignorefile.ReadAll): BOM dropped on line 1 only, '#' a
// comment only in column 0, whitespace trimmed (also after '!'), the
// pattern path-cleaned and one leading '/' dropped. Throws Error naming
// `name` and the line for a line of 64 KiB or more, which Docker rejects.
IgnoreFile parse_ignore_file(std::string_view content, const std::string& name);

// One change to an ignore file: append a line (no `line`), replace line
// `line` (both), or delete it (no `text`). A text of several lines
// separates them with "\n".
struct IgnoreEdit {
  std::string file;  // as the user names it; created when missing
  std::optional<size_t> line;
  std::optional<std::string> text;
};

// `content` with `edit` applied. Line endings are kept: a new line takes
// the file's ("\r\n" when its first line has one, also between the lines
// of a text of several), and a missing final newline is added before
// appending.
std::string apply_edit(std::string_view content, const IgnoreEdit& edit);

// Reads and parses an open ignore file, as Docker's scanner does: holding
// one line at a time, so a file that never ends a line fails once that
// line reaches the limit. Throws Error naming `name`.
IgnoreFile read_ignore_file(InputFile& in, const std::string& name);

// The reader Buildah and Podman use (openshift/imagebuilder's ParseIgnore,
// then containers/storage's NewPatternMatcher): the whole file split at
// '\n', '#' a comment only in column 0, every leading and trailing '/'
// trimmed before whitespace, then cleaned; an exception's own leading '/'
// dropped. No BOM handling and no line limit.
IgnoreFile parse_imagebuilder_ignore(std::string_view content, const std::string& name);
IgnoreFile read_imagebuilder_ignore(InputFile& in, const std::string& name);

// An ignore file the user names by path, outside any context: it may be a
// pipe (process substitution), and it must exist.
IgnoreFile read_named_ignore_file(const std::string& path);

}  // namespace ctxpack
