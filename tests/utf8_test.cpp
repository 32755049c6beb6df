// UTF-8 with Go's rules: an invalid byte is U+FFFD and advances one byte.
#include "ctxpack/support/utf8.h"

#include <gtest/gtest.h>

namespace ctxpack {
namespace {

TEST(Utf8, DecodesValidRunesOfEveryLength) {
  EXPECT_EQ(decode_rune("a"), (std::pair<char32_t, size_t>{'a', 1}));
  EXPECT_EQ(decode_rune("é"), (std::pair<char32_t, size_t>{0xE9, 2}));
  EXPECT_EQ(decode_rune("日"), (std::pair<char32_t, size_t>{0x65E5, 3}));
  EXPECT_EQ(decode_rune("😀"), (std::pair<char32_t, size_t>{0x1F600, 4}));
}

TEST(Utf8, InvalidBytesAreOneRuneErrorEach) {
  for (const char* bad : {"\xff", "\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3", "\x80"}) {
    EXPECT_EQ(decode_rune(bad), (std::pair<char32_t, size_t>{kRuneError, 1})) << bad;
  }
}

TEST(Utf8, EncodesAndRefusesSurrogates) {
  std::string out;
  for (char32_t c : {char32_t{'a'}, char32_t{0xE9}, char32_t{0x65E5}, char32_t{0x1F600}}) append_utf8(out, c);
  EXPECT_EQ(out, "aé日😀");
  out.clear();
  append_utf8(out, 0xD800);
  EXPECT_EQ(out, "\xef\xbf\xbd");
}

TEST(Utf8, TrimSpaceIsGosStringsTrimSpace) {
  EXPECT_EQ(trim_space(" \t a b \r\n"), "a b");
  EXPECT_EQ(trim_space("\u00a0x\u3000"), "x") << "Unicode spaces count";
  EXPECT_EQ(trim_space("x\xff "), "x\xff") << "an invalid byte is not space";
  EXPECT_EQ(trim_space("   "), "");
  EXPECT_TRUE(is_unicode_space(0x2009));
  EXPECT_FALSE(is_unicode_space(0x200B));
}

}  // namespace
}  // namespace ctxpack
