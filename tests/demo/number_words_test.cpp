#include "demo/number_words.h"

#include <gtest/gtest.h>

namespace tfm::demo {
namespace {

// Standard German spelling: one word, "ein" inside compounds and "eins" at the end,
// units before tens, "sechzehn"/"siebzehn"/"dreißig" as exceptions.
TEST(NumberWords, German) {
  EXPECT_EQ(german_number(0), "null");
  EXPECT_EQ(german_number(1), "eins");
  EXPECT_EQ(german_number(16), "sechzehn");
  EXPECT_EQ(german_number(17), "siebzehn");
  EXPECT_EQ(german_number(21), "einundzwanzig");
  EXPECT_EQ(german_number(30), "dreißig");
  EXPECT_EQ(german_number(101), "einhunderteins");
  EXPECT_EQ(german_number(345), "dreihundertfünfundvierzig");
  EXPECT_EQ(german_number(1000), "eintausend");
  EXPECT_EQ(german_number(1001), "eintausendeins");
  EXPECT_EQ(german_number(21000), "einundzwanzigtausend");
  EXPECT_EQ(german_number(345678), "dreihundertfünfundvierzigtausendsechshundertachtundsiebzig");
  EXPECT_EQ(german_number(999999), "neunhundertneunundneunzigtausendneunhundertneunundneunzig");
}

TEST(NumberWords, English) {
  EXPECT_EQ(english_number(0), "zero");
  EXPECT_EQ(english_number(21), "twenty-one");
  EXPECT_EQ(english_number(345), "three hundred forty-five");
  EXPECT_EQ(english_number(1000), "one thousand");
  EXPECT_EQ(english_number(345678), "three hundred forty-five thousand six hundred seventy-eight");
  EXPECT_EQ(english_number(100010), "one hundred thousand ten");
}

}  // namespace
}  // namespace tfm::demo
