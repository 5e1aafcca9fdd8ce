#include "viz/ticks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace tfm::viz {
namespace {

void expect_ticks(const Ticks& ticks, const std::vector<double>& values, const std::vector<std::string>& labels) {
  ASSERT_EQ(ticks.values.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(ticks.values[i], values[i], 1e-12 * std::abs(values[i])) << i;
  EXPECT_EQ(ticks.labels, labels);
}

// Each case worked by hand: the smallest 1-2-5 step whose multiples around the range need at
// most five intervals.
TEST(LinearTicks, RangesWorkedByHand) {
  // step 1 needs 8 intervals, step 2 needs 4.
  expect_ticks(linear_ticks(0.0, 7.3), {0, 2, 4, 6, 8}, {"0", "2", "4", "6", "8"});
  // step 0.1 needs 10, step 0.2 needs 5.
  expect_ticks(linear_ticks(0.0, 1.0), {0, 0.2, 0.4, 0.6, 0.8, 1.0}, {"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"});
  // step 0.2: 3.2 .. 5.0 is 9 intervals; step 0.5: 3.0 .. 5.0 is 4.
  expect_ticks(linear_ticks(3.2, 4.9), {3, 3.5, 4, 4.5, 5}, {"3.0", "3.5", "4.0", "4.5", "5.0"});
  // step 1: -4 .. 2 is 6 intervals; step 2: -4 .. 2 is 3.
  expect_ticks(linear_ticks(-3.2, 1.4), {-4, -2, 0, 2}, {"-4", "-2", "0", "2"});
  // step 2000 needs 10, step 5000 needs 4.
  expect_ticks(linear_ticks(1.0, 20000.0), {0, 5000, 10000, 15000, 20000}, {"0", "5000", "10000", "15000", "20000"});
  // step 0.0005: 0.0010 .. 0.0050 is 8 intervals; step 0.001: 4.
  expect_ticks(linear_ticks(0.0012, 0.0047), {0.001, 0.002, 0.003, 0.004, 0.005},
               {"0.001", "0.002", "0.003", "0.004", "0.005"});
  // A single value is widened by 10% each way: [4.5, 5.5], step 0.5.
  expect_ticks(linear_ticks(5.0, 5.0), {4.5, 5, 5.5}, {"4.5", "5.0", "5.5"});
  // Zero is widened to [-1, 1]: step 0.2 needs 10 intervals, step 0.5 needs 4.
  expect_ticks(linear_ticks(0.0, 0.0), {-1, -0.5, 0, 0.5, 1}, {"-1.0", "-0.5", "0.0", "0.5", "1.0"});
}

TEST(LinearTicks, AlwaysCoverTheRangeWithFewOneTwoFiveSteps) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> exponent(-6.0, 6.0), unit(-1.0, 1.0);
  for (int trial = 0; trial < 2000; ++trial) {
    const double scale = std::pow(10.0, exponent(rng));
    double lo = unit(rng) * scale, hi = unit(rng) * scale;
    if (lo > hi) std::swap(lo, hi);
    const Ticks ticks = linear_ticks(lo, hi);
    ASSERT_GE(ticks.values.size(), 2u);
    ASSERT_LE(ticks.values.size(), 6u);
    EXPECT_LE(ticks.values.front(), lo);
    EXPECT_GE(ticks.values.back(), hi);
    const double step = ticks.values[1] - ticks.values[0];
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    EXPECT_TRUE(std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 || std::abs(mantissa - 5) < 1e-6)
        << "step " << step << " for [" << lo << ", " << hi << "]";
    for (size_t i = 1; i < ticks.values.size(); ++i) EXPECT_NEAR(ticks.values[i] - ticks.values[i - 1], step, 1e-9 * step);
    // With the next smaller 1-2-5 step more than five intervals would be needed.
    const double smaller = step / (std::abs(mantissa - 2) < 1e-6 ? 2.0 : 2.5);
    EXPECT_GT(std::ceil(hi / smaller - 1e-9) - std::floor(lo / smaller + 1e-9), 5.0) << "[" << lo << ", " << hi << "]";
  }
}

TEST(LogTicks, RangesWorkedByHand) {
  // A loss between 1.9 and 10.1: from 1 (last of 1-2-5 at or below) to 20 (first at or above).
  expect_ticks(log_ticks(1.9, 10.1), {1, 2, 5, 10, 20}, {"1", "2", "5", "10", "20"});
  expect_ticks(log_ticks(0.02, 0.7), {0.02, 0.05, 0.1, 0.2, 0.5, 1}, {"0.02", "0.05", "0.1", "0.2", "0.5", "1"});
  expect_ticks(log_ticks(3.0, 30.0), {2, 5, 10, 20, 50}, {"2", "5", "10", "20", "50"});
  expect_ticks(log_ticks(10.0, 10.0), {5, 10, 20}, {"5", "10", "20"});  // widened to [8, 12.5]
  // Three decades: powers of ten only.
  expect_ticks(log_ticks(0.5, 200.0), {0.1, 1, 10, 100, 1000}, {"0.1", "1", "10", "100", "1000"});
  // Eight decades: every second power, the top end rounded up to one of them.
  expect_ticks(log_ticks(1e-3, 1e5), {1e-3, 1e-1, 1e1, 1e3, 1e5}, {"0.001", "0.1", "10", "1000", "1e+05"});
  expect_ticks(log_ticks(1e-3, 2e5), {1e-3, 1e-1, 1e1, 1e3, 1e5, 1e7}, {"0.001", "0.1", "10", "1000", "1e+05", "1e+07"});
}

}  // namespace
}  // namespace tfm::viz
