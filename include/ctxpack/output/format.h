// Text shared by every command's output: unambiguous paths, Docker's sizes,
// ls-style modes, rule references, counted nouns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ctxpack/support/filesystem.h"
#include "ctxpack/rules/ignore_file.h"

namespace ctxpack {

// A path as git prints it: unchanged when plain, otherwise in double quotes
// with C escapes (\t, \n, \", \\, and \ooo for control and non-UTF-8
// bytes), so every printed line maps back to exactly one name. `force`
// quotes a plain name too (for names that contain a separator the output
// itself uses, like " -> " in `ls --long`).
std::string quote_path(std::string_view path, bool force = false);

// Docker's size format (go-units HumanSize): decimal units, four
// significant digits, no space: "1.5MB", "2.048kB", "512B".
std::string human_size(uint64_t bytes);

// Parses sizes such as "500MB", "1.5GiB", "1B", "2k", "100": decimal
// units (kB, MB, GB, TB) and binary ones (KiB, MiB, GiB, TiB),
// case-insensitive. Throws Error for anything else.
uint64_t parse_size(std::string_view text);

// "drwxr-xr-x", "-rwsr-xr-x", "prw-r--r--"...
std::string mode_string(FileType type, uint32_t mode);

// "file", "dir", "symlink", "fifo", "socket", "char-device", "block-device", "unknown".
std::string_view type_name(FileType type);

// "FILE:LINE:TEXT" as `git check-ignore -v` prints a rule (the line as
// written, trimmed); rules the docker CLI adds print as "(docker CLI):PATTERN".
std::string rule_reference(const Rule& rule);

// "1 file", "2 files".
std::string plural(uint64_t n, std::string_view one, std::string_view many);

}  // namespace ctxpack
