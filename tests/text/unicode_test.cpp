// The Unicode properties sacreBLEU's Python relies on (expected values from Python 3's
// str.isspace(), str.split(), str.rstrip(), str.lower() and unicodedata.category()).
#include "text/unicode.h"

#include <gtest/gtest.h>

#include "text/utf8.h"

namespace tfm::text {
namespace {

TEST(Unicode, PythonWhitespaceIsWhiteSpacePlusAsciiSeparators) {
  for (char32_t c : {U' ', U'\t', U'\n', U'\v', U'\f', U'\r', U'\x1c', U'\x1f', U'\u0085', U'\u00a0', U'\u1680',
                     U'\u2000', U'\u2009', U'\u200a', U'\u2028', U'\u2029', U'\u202f', U'\u205f', U'\u3000'}) {
    EXPECT_TRUE(is_python_whitespace(c)) << std::hex << uint32_t(c);
  }
  // zero-width space, BOM, Mongolian vowel separator (no longer White_Space), letters
  for (char32_t c : {U'\u200b', U'\ufeff', U'\u180e', U'\x1b', U'a', U'\u00e4'}) {
    EXPECT_FALSE(is_python_whitespace(c)) << std::hex << uint32_t(c);
  }
}

TEST(Unicode, GeneralCategories) {
  for (char32_t c : {U'.', U'-', U'\u201e', U'\u201c', U'\u00ab', U'\u2013', U'\u2026', U'_', U'%'}) {
    EXPECT_TRUE(is_punctuation(c)) << std::hex << uint32_t(c);
  }
  for (char32_t c : {U'$', U'\u20ac', U'+', U'\u00b0', U'^', U'`', U'|'}) {
    EXPECT_TRUE(is_symbol(c)) << std::hex << uint32_t(c);
    EXPECT_FALSE(is_punctuation(c)) << std::hex << uint32_t(c);
  }
  for (char32_t c : {U'0', U'9', U'\u00bd', U'\u00b2', U'\u0663', U'\u2164'}) {
    EXPECT_TRUE(is_number(c)) << std::hex << uint32_t(c);
  }
  EXPECT_FALSE(is_number(U'a'));
  EXPECT_FALSE(is_punctuation(U' '));
  EXPECT_FALSE(is_symbol(U'\u00e4'));
}

TEST(Unicode, SplitAndRstripLikePython) {
  const std::u32string text = U"\u3000 a\u00a0b\tc\u200bd \x1c";
  const std::vector<std::u32string_view> words = split_whitespace(text);
  ASSERT_EQ(words.size(), 3u);
  EXPECT_EQ(words[0], U"a");
  EXPECT_EQ(words[1], U"b");
  EXPECT_EQ(words[2], U"c\u200bd");
  EXPECT_EQ(rstrip_whitespace(text), U"\u3000 a\u00a0b\tc\u200bd");
  EXPECT_TRUE(split_whitespace(U" \u2028 ").empty());
  EXPECT_EQ(rstrip_whitespace(U" \r\n"), U"");
}

TEST(Unicode, LowerIsPythonsFullLowercaseMapping) {
  // ẞ -> ß; a final Σ -> ς, other Σ -> σ; İ -> i + combining dot above (two code points)
  EXPECT_EQ(encode_utf8(python_lower(decode_utf8("STRAẞE ΟΔΟΣ İSTANBUL Σ ΑΣ. ΑΣΑ"))),
            "straße οδος i\u0307stanbul σ ας. ασα");
  EXPECT_EQ(python_lower(U"ÄÖÜ"), U"äöü");
  EXPECT_EQ(python_lower(U""), U"");
}

}  // namespace
}  // namespace tfm::text
