// Terminal styling: colour only on a terminal, and never when NO_COLOR is
// set (no-color.org).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace ctxpack::cli {

bool use_color(FILE* stream);

struct Style {
  bool on = false;
  std::string bold(std::string_view s) const { return wrap("1", s); }
  std::string red(std::string_view s) const { return wrap("31", s); }
  std::string yellow(std::string_view s) const { return wrap("33", s); }
  std::string dim(std::string_view s) const { return wrap("2", s); }
  std::string wrap(const char* code, std::string_view s) const {
    if (!on) return std::string(s);
    return "\033[" + std::string(code) + "m" + std::string(s) + "\033[0m";
  }
};

}  // namespace ctxpack::cli
