// Strict UTF-8, as Python's "utf-8" codec and RFC 3629: every kind of malformed input is
// rejected, by validation and decoding alike, at the first byte of the bad sequence.
#include "text/utf8.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

namespace tfm::text {
namespace {

// The offset decode_utf8 reports, checked against find_invalid_utf8; -1 when both accept.
int64_t invalid_offset(const std::string& bytes) {
  const std::optional<InvalidUtf8> found = find_invalid_utf8(bytes);
  try {
    decode_utf8(bytes);
    EXPECT_FALSE(found) << "find_invalid_utf8 rejects what decode_utf8 accepts";
    return -1;
  } catch (const Utf8Error& e) {
    EXPECT_TRUE(found) << "find_invalid_utf8 accepts what decode_utf8 rejects: " << e.what();
    if (found) {
      EXPECT_EQ(found->byte_offset, e.byte_offset());
      EXPECT_EQ(found->detail, e.detail());
    }
    return static_cast<int64_t>(e.byte_offset());
  }
}

TEST(Utf8, DecodesOneToFourByteSequences) {
  EXPECT_EQ(decode_utf8("a\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80"), U"a\u00e4\u20ac\U0001F600");
  EXPECT_EQ(decode_utf8(std::string_view("\0x", 2)), std::u32string(U"\0x", 2));
  EXPECT_EQ(decode_utf8("\xef\xbb\xbf"), U"\ufeff");  // a BOM is an ordinary character
}

TEST(Utf8, AcceptsEveryEncodingLength) {
  EXPECT_EQ(invalid_offset(""), -1);
  EXPECT_EQ(invalid_offset("plain ascii"), -1);
  EXPECT_EQ(invalid_offset("Gr\xC3\xBC\xC3\x9F" "e"), -1);       // Grüße
  EXPECT_EQ(invalid_offset("\xE2\x82\xAC"), -1);                // U+20AC euro sign
  EXPECT_EQ(invalid_offset("\xF0\x9F\x98\x80"), -1);            // U+1F600
  EXPECT_EQ(invalid_offset("\xF4\x8F\xBF\xBF"), -1);            // U+10FFFF, the last
  EXPECT_EQ(invalid_offset("\xED\x9F\xBF"), -1);                // U+D7FF, below surrogates
  EXPECT_EQ(invalid_offset("\xEE\x80\x80"), -1);                // U+E000, above surrogates
  EXPECT_EQ(invalid_offset(std::string("a\0b", 3)), -1);        // NUL is a code point
  EXPECT_EQ(decode_utf8("\xF4\x8F\xBF\xBF\xED\x9F\xBF\xEE\x80\x80"), U"\U0010FFFF\uD7FF\uE000");
}

TEST(Utf8, EncodeRoundTrips) {
  const std::u32string text = U"x\u007f\u0080\u07ff\u0800\uffff\U00010000\U0010FFFF";
  EXPECT_EQ(decode_utf8(encode_utf8(text)), text);
  EXPECT_EQ(encode_utf8(U"\u00e4"), "\xc3\xa4");
}

// Each case: bytes after a two-byte ASCII prefix, so the reported offset must be 2.
TEST(Utf8, RejectsMalformedSequencesAtTheirFirstByte) {
  const char* bad[] = {
      "\x80",              // lone continuation byte
      "\xC0\xAF",          // overlong '/'
      "\xC1\xBF",          // overlong two-byte lead
      "\xE0\x80\xAF",      // overlong three-byte '/'
      "\xE0\x9F\xBF",      // overlong U+07FF
      "\xF0\x8F\xBF\xBF",  // overlong U+FFFF
      "\xED\xA0\x80",      // U+D800, a surrogate
      "\xED\xBF\xBF",      // U+DFFF, a surrogate
      "\xF4\x90\x80\x80",  // U+110000
      "\xF5\x80\x80\x80",  // lead byte beyond any code point
      "\xFF",              // never valid
      "\xC3",              // truncated at end of text
      "\xE2\x82",          // truncated at end of text
      "\xC3(",             // continuation missing
      "\xE2\x28\xA1",      // second byte is not a continuation
      "\xF0\x9F\x98(",     // fourth byte is not a continuation
  };
  for (const char* sequence : bad) {
    SCOPED_TRACE(::testing::PrintToString(std::string(sequence)));
    EXPECT_EQ(invalid_offset(std::string("ok") + sequence), 2);
  }
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
    EXPECT_EQ(invalid_offset(c.bytes), static_cast<int64_t>(c.offset)) << c.offset;
    try {
      decode_utf8(c.bytes);
      ADD_FAILURE() << "accepted malformed input at " << c.offset;
    } catch (const Utf8Error& e) {
      EXPECT_EQ(e.byte_offset(), c.offset);
      EXPECT_NE(std::string(e.what()).find("byte " + std::to_string(c.offset)), std::string::npos) << e.what();
    }
  }
}

// The detail names the lead byte of the bad sequence and Python's reason for rejecting it.
TEST(Utf8, DetailNamesTheByteAndTheReason) {
  const struct {
    std::string bytes, detail;
  } cases[] = {
      {"ab\x80", "0x80: invalid start byte"},
      {"\xc0\xaf", "0xC0: invalid start byte"},
      {"abc\xe2\x82", "0xE2: unexpected end of data"},
      {"\xed\xa0\x80", "0xED: invalid continuation byte"},
      {"\xf0\x9f\x98(", "0xF0: invalid continuation byte"},
  };
  for (const auto& c : cases) {
    const std::optional<InvalidUtf8> found = find_invalid_utf8(c.bytes);
    ASSERT_TRUE(found) << c.detail;
    EXPECT_EQ(found->detail, c.detail);
  }
  try {
    decode_utf8("ab\x80");
    ADD_FAILURE() << "accepted a stray continuation byte";
  } catch (const Utf8Error& e) {
    EXPECT_STREQ(e.what(), "invalid UTF-8 at byte 2 (0x80: invalid start byte)");
  }
}

TEST(Utf8, LenientDecodingReplacesMaximalIllFormedSubparts) {
  // Well-formed text decodes as the strict decoder does.
  const std::string good = "a\xC3\xBC\xE2\x96\x81\xF0\x9F\x98\x80";  // a, ü, ▁, 😀
  std::u32string lenient;
  for (size_t pos = 0; pos < good.size();) lenient.push_back(next_code_point(good, pos));
  EXPECT_EQ(lenient, decode_utf8(good));
  // The expected code points are what Python's bytes.decode("utf-8", "replace") gives.
  // An overlong form and a surrogate: one U+FFFD per byte, since each byte in turn starts no
  // well-formed sequence; a sequence cut short (E2 82, F0 9F 98): one U+FFFD for all of it.
  const char32_t r = kReplacementCharacter;
  const auto lenient_decode = [](std::string_view bytes) {
    std::u32string got;
    for (size_t pos = 0; pos < bytes.size();) got.push_back(next_code_point(bytes, pos));
    return got;
  };
  EXPECT_EQ(lenient_decode("x\xC0\xAFy\xED\xA0\x80z\xE2\x82"), (std::u32string{U'x', r, r, U'y', r, r, r, U'z', r}));
  EXPECT_EQ(lenient_decode("\xE2\x82" "A\xF0\x9F\x98"), (std::u32string{r, U'A', r}));
  EXPECT_EQ(lenient_decode("\xF4\x90\x80\x80"), (std::u32string{r, r, r, r}));  // above U+10FFFF
  EXPECT_EQ(lenient_decode("\xF0\x9F\x98\x80\xFF"), (std::u32string{U'\U0001F600', r}));
}

TEST(Utf8, ReplacingInvalidUtf8GivesValidTextAndKeepsValidTextAsItIs) {
  const std::string good = "Zwei M\xC3\xA4nner \xE2\x96\x81\xF0\x9F\x98\x80";
  EXPECT_EQ(replace_invalid_utf8(good), good);
  const std::string fixed = replace_invalid_utf8(std::string("a\xFF" "b\xE2\x82" "c\0" "d", 8));
  EXPECT_EQ(fixed, std::string("a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\0" "d", 11));
  EXPECT_FALSE(find_invalid_utf8(fixed).has_value());
}

}  // namespace
}  // namespace tfm::text
