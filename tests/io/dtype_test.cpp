#include "io/dtype.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tfm::io {
namespace {

TEST(Dtype, NamesAndSizesFollowTheSafetensorsSpec) {
  const std::pair<const char*, std::size_t> expected[] = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1},
      {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},
      {"U32", 4},  {"F32", 4}, {"F64", 8}, {"I64", 8},     {"U64", 8}};
  for (const auto& [name, size] : expected) {
    const std::optional<Dtype> d = parse_dtype(name);
    ASSERT_TRUE(d) << name;
    EXPECT_EQ(dtype_name(*d), name);
    EXPECT_EQ(dtype_size(*d), size) << name;
  }
  EXPECT_FALSE(parse_dtype("f32"));
  EXPECT_FALSE(parse_dtype("F33"));
}

TEST(Dtype, HalfToFloatMatchesIeeeBinary16) {
  // Values from the binary16 definition: sign, 5-bit exponent biased by 15, 10-bit fraction.
  EXPECT_EQ(half_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_to_float(0xc000), -2.0f);
  EXPECT_EQ(half_to_float(0x3555), 0.333251953125f);        // 1.0101010101b * 2^-2
  EXPECT_EQ(half_to_float(0x7bff), 65504.0f);               // largest finite
  EXPECT_EQ(half_to_float(0x0400), std::ldexp(1.0f, -14));  // smallest normal
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(half_to_float(0x83ff), -std::ldexp(1023.0f, -24));
  EXPECT_EQ(half_to_float(0x0000), 0.0f);
  EXPECT_TRUE(std::signbit(half_to_float(0x8000)));
  EXPECT_EQ(half_to_float(0x7c00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(half_to_float(0xfc00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(half_to_float(0x7e00)));
}

TEST(Dtype, Bfloat16IsTheTopHalfOfAFloat) {
  EXPECT_EQ(bfloat16_to_float(0x3f80), 1.0f);
  EXPECT_EQ(bfloat16_to_float(0xc0a0), -5.0f);
  EXPECT_EQ(bfloat16_to_float(0x4049), 3.140625f);
  EXPECT_EQ(bfloat16_to_float(0x7f80), std::numeric_limits<float>::infinity());
}

}  // namespace
}  // namespace tfm::io
