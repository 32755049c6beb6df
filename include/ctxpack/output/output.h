// Presentation shared by all commands: unambiguous paths, Docker's sizes,
// ls-style modes, rule references, colour, and JSON strings that survive
// names which are not UTF-8.
#pragma once

#include <cstdint>
#include <cstdio>
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

// "FILE:LINE:PATTERN" as `git check-ignore -v` prints a rule; rules the
// docker CLI adds itself print as "(docker CLI):PATTERN".
std::string rule_reference(const Rule& rule);

// A JSON string literal for arbitrary bytes: invalid UTF-8 bytes become
// U+FFFD (JSON cannot carry them; -0 output can).
std::string json_string(std::string_view s);

// Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
bool use_color(FILE* stream);

struct Style {
  bool on = false;
  std::string bold(std::string_view s) const { return wrap("1", s); }
  std::string red(std::string_view s) const { return wrap("31", s); }
  std::string green(std::string_view s) const { return wrap("32", s); }
  std::string yellow(std::string_view s) const { return wrap("33", s); }
  std::string dim(std::string_view s) const { return wrap("2", s); }
  std::string wrap(const char* code, std::string_view s) const {
    if (!on) return std::string(s);
    return "\033[" + std::string(code) + "m" + std::string(s) + "\033[0m";
  }
};

}  // namespace ctxpack
