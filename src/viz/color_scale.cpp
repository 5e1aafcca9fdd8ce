#include "viz/color_scale.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstdio>

namespace tfm::viz {

namespace {

// matplotlib's _viridis_data at entries 0, 32, ..., 224 and 255 (where viridis(i / 8) looks
// up), times 255 and rounded.
constexpr std::array<Color, 9> kViridisControlPoints = {{
    {0x44, 0x01, 0x54},
    {0x47, 0x2d, 0x7b},
    {0x3b, 0x52, 0x8b},
    {0x2c, 0x72, 0x8e},
    {0x21, 0x91, 0x8c},
    {0x28, 0xae, 0x80},
    {0x5e, 0xc9, 0x62},
    {0xad, 0xdc, 0x30},
    {0xfd, 0xe7, 0x25},
}};

uint8_t mix(uint8_t a, uint8_t b, double f) { return uint8_t(std::lround(a + (double(b) - double(a)) * f)); }

}  // namespace

std::string Color::hex() const {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "#%02x%02x%02x", r, g, b);
  return buffer;
}

Color viridis(double t) {
  assert(!std::isnan(t));
  t = std::clamp(t, 0.0, 1.0);
  const double position = t * double(kViridisControlPoints.size() - 1);
  const size_t lower = std::min(size_t(position), kViridisControlPoints.size() - 2);
  const double f = position - double(lower);
  const Color& a = kViridisControlPoints[lower];
  const Color& b = kViridisControlPoints[lower + 1];
  return {mix(a.r, b.r, f), mix(a.g, b.g, f), mix(a.b, b.b, f)};
}

}  // namespace tfm::viz
