#include "io/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace tfm::io {
namespace {

constexpr size_t kValid = std::string_view::npos;

TEST(Utf8, AcceptsEveryEncodingLength) {
  EXPECT_EQ(find_invalid_utf8(""), kValid);
  EXPECT_EQ(find_invalid_utf8("plain ascii"), kValid);
  EXPECT_EQ(find_invalid_utf8("Gr\xC3\xBC\xC3\x9F" "e"), kValid);       // Grüße
  EXPECT_EQ(find_invalid_utf8("\xE2\x82\xAC"), kValid);                // U+20AC euro sign
  EXPECT_EQ(find_invalid_utf8("\xF0\x9F\x98\x80"), kValid);            // U+1F600
  EXPECT_EQ(find_invalid_utf8("\xF4\x8F\xBF\xBF"), kValid);            // U+10FFFF, the last
  EXPECT_EQ(find_invalid_utf8("\xED\x9F\xBF"), kValid);                // U+D7FF, below surrogates
  EXPECT_EQ(find_invalid_utf8("\xEE\x80\x80"), kValid);                // U+E000, above surrogates
  EXPECT_EQ(find_invalid_utf8(std::string("a\0b", 3)), kValid);        // NUL is a code point
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
    EXPECT_EQ(find_invalid_utf8(std::string("ok") + sequence), 2u);
  }
}

}  // namespace
}  // namespace tfm::io
