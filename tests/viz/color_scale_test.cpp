#include "viz/color_scale.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tfm::viz {
namespace {

// WCAG relative luminance of an sRGB colour.
double luminance(const Color& c) {
  const auto linear = [](uint8_t v) {
    const double s = v / 255.0;
    return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

// matplotlib's float colour, as a byte colour.
Color from_matplotlib(double r, double g, double b) {
  return {uint8_t(std::lround(r * 255)), uint8_t(std::lround(g * 255)), uint8_t(std::lround(b * 255))};
}

TEST(Viridis, MatchesMatplotlibAtItsEndsAndMiddle) {
  // matplotlib.colormaps["viridis"](t)[:3] for t = 0, 0.5, 1.
  EXPECT_EQ(viridis(0.0), from_matplotlib(0.267004, 0.004874, 0.329415));
  EXPECT_EQ(viridis(0.5), from_matplotlib(0.127568, 0.566949, 0.550556));
  EXPECT_EQ(viridis(1.0), from_matplotlib(0.993248, 0.906157, 0.143936));
  EXPECT_EQ(viridis(0.0).hex(), "#440154");
  EXPECT_EQ(viridis(1.0).hex(), "#fde725");
  EXPECT_EQ(viridis(-0.5), viridis(0.0));
  EXPECT_EQ(viridis(7.0), viridis(1.0));
}

TEST(Viridis, StaysCloseToMatplotlibBetweenControlPoints) {
  // matplotlib's table entries 80 and 208, halfway between control points (t = 5/16, 13/16):
  // linear interpolation in sRGB is off by a few levels at most.
  const auto expect_close = [](const Color& got, const Color& want) {
    EXPECT_NEAR(got.r, want.r, 4);
    EXPECT_NEAR(got.g, want.g, 4);
    EXPECT_NEAR(got.b, want.b, 4);
  };
  expect_close(viridis(80.5 / 256.0), from_matplotlib(0.199430, 0.387607, 0.554642));
  expect_close(viridis(208.5 / 256.0), from_matplotlib(0.515992, 0.831158, 0.294279));
}

TEST(Viridis, BrightensSteadilyFromZeroToOne) {
  // Sequential: more weight always reads lighter, in grey too.
  for (int i = 1; i <= 100; ++i) EXPECT_GT(luminance(viridis(i / 100.0)), luminance(viridis((i - 1) / 100.0))) << i;
}

TEST(Color, HexIsLowerCaseSixDigits) { EXPECT_EQ((Color{0x0A, 0xBC, 0xFF}).hex(), "#0abcff"); }

}  // namespace
}  // namespace tfm::viz
