// UTF-8 decoding with Go's rules, because Docker's matcher reads patterns
// and paths as Go strings: an invalid byte reads as U+FFFD and advances
// by one byte, so such names still match byte for byte where Go's do.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace ctxpack {

constexpr char32_t kRuneError = 0xFFFD;

// The first rune of non-empty `s` and its width in bytes.
std::pair<char32_t, size_t> decode_rune(std::string_view s);

void append_utf8(std::string& out, char32_t c);

// Go's unicode.IsSpace.
bool is_unicode_space(char32_t c);

// Go's strings.TrimSpace.
std::string_view trim_space(std::string_view s);

}  // namespace ctxpack
