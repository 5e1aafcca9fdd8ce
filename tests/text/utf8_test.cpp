// Strict UTF-8, as Python's "utf-8" codec: every kind of malformed input is rejected.
#include "text/utf8.h"

#include <gtest/gtest.h>

namespace tfm::text {
namespace {

TEST(Utf8, DecodesOneToFourByteSequences) {
  EXPECT_EQ(decode_utf8("a\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80"), U"a\u00e4\u20ac\U0001F600");
  EXPECT_EQ(decode_utf8(std::string_view("\0x", 2)), std::u32string(U"\0x", 2));
  EXPECT_EQ(decode_utf8("\xef\xbb\xbf"), U"\ufeff");  // a BOM is an ordinary character
}

TEST(Utf8, EncodeRoundTrips) {
  const std::u32string text = U"x\u007f\u0080\u07ff\u0800\uffff\U00010000\U0010FFFF";
  EXPECT_EQ(decode_utf8(encode_utf8(text)), text);
  EXPECT_EQ(encode_utf8(U"\u00e4"), "\xc3\xa4");
}

TEST(Utf8, RejectsMalformedInputNamingTheOffset) {
  struct Case {
    std::string bytes;
    size_t offset;
  };
  const Case cases[] = {
      {"ab\x80", 2},              // stray continuation byte
      {"\xc0\xaf", 0},            // overlong 2-byte form of '/'
      {"\xe0\x80\xaf", 0},        // overlong 3-byte form
      {"\xf0\x80\x80\xaf", 0},    // overlong 4-byte form
      {"x\xed\xa0\x80", 1},       // surrogate U+D800
      {"\xf4\x90\x80\x80", 0},    // U+110000
      {"\xf5\x80\x80\x80", 0},    // invalid lead byte
      {"\xff", 0},                // invalid lead byte
      {"abc\xe2\x82", 3},         // truncated at the end
      {"\xe2\x82x", 0},           // truncated by an ASCII byte
  };
  for (const Case& c : cases) {
    try {
      decode_utf8(c.bytes);
      ADD_FAILURE() << "accepted malformed input at " << c.offset;
    } catch (const Utf8Error& e) {
      EXPECT_EQ(e.byte_offset(), c.offset);
      EXPECT_NE(std::string(e.what()).find("byte " + std::to_string(c.offset)), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace tfm::text
