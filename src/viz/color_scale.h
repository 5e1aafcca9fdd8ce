#pragma once
// Sequential colour scale for values in [0, 1]: viridis (van der Walt and Smith, matplotlib),
// perceptually uniform, readable in grey and by colour-blind viewers.
#include <cstdint>
#include <string>

namespace tfm::viz {

struct Color {
  uint8_t r = 0;
  uint8_t g = 0;
  uint8_t b = 0;

  std::string hex() const;  // "#rrggbb", lower case
  bool operator==(const Color&) const = default;
};

// Viridis at t, interpolated linearly between nine control points taken from matplotlib at
// t = i/8;
// t outside [0, 1] is clamped (t must not be NaN), so viridis(0) and viridis(1) are the scale's ends.
Color viridis(double t);

}  // namespace tfm::viz
