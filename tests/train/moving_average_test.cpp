// The moving average of the weights against sums worked by hand.
#include "train/moving_average.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace tfm::train {
namespace {

// One parameter of two values, set to each of `weights` in turn and averaged after each.
std::vector<float> averaged(double decay, const std::vector<std::array<float, 2>>& weights) {
  ParameterSet params;
  Param p = params.add("p", {2});
  MovingAverage average(params, decay);
  for (const auto& w : weights) {
    std::copy(w.begin(), w.end(), p.value.data);
    average.update(params);
  }
  EXPECT_EQ(average.updates(), int64_t(weights.size()));
  return average.values()[0];
}

TEST(MovingAverage, TakesTheFirstWeightsWholeThenWeighsTheNewOnesByTenOverUPlusNine) {
  // 4; then 4 + 10/11 (8 - 4) = 84/11; then 84/11 + 10/12 (2 - 84/11) = 97/33.
  const std::vector<float> average = averaged(0.5, {{4, -1}, {8, -1}, {2, -1}});
  EXPECT_FLOAT_EQ(average[0], 97.0f / 33.0f);
  EXPECT_FLOAT_EQ(average[1], -1.0f);
}

TEST(MovingAverage, ThenByOneMinusDecay) {
  // decay 0.95: 10 / (u + 9) falls under 0.05 after u = 191. Zeros, then a 1 at update u:
  // the average is that update's weight.
  for (const auto& [u, weight] : {std::pair{100, 10.0f / 109.0f}, std::pair{191, 0.05f}, std::pair{300, 0.05f}}) {
    std::vector<std::array<float, 2>> weights(size_t(u), {0, 0});
    weights.back() = {1, -2};
    const std::vector<float> average = averaged(0.95, weights);
    EXPECT_FLOAT_EQ(average[0], weight) << u;
    EXPECT_FLOAT_EQ(average[1], -2 * weight) << u;
  }
}

TEST(MovingAverage, SwappingTwiceRestoresTheWeights) {
  ParameterSet params;
  Param p = params.add("p", {3});
  const float weights[3] = {1, 2, 3};
  std::copy(weights, weights + 3, p.value.data);
  MovingAverage average(params, 0.9);
  average.update(params);
  p.value.data[0] = 5;
  average.swap_with(params);
  EXPECT_EQ(p.value.data[0], 1);  // the average, from before the change
  EXPECT_EQ(average.values()[0][0], 5);
  average.swap_with(params);
  EXPECT_EQ(p.value.data[0], 5);
  EXPECT_EQ(average.values()[0], std::vector<float>({1, 2, 3}));
}

}  // namespace
}  // namespace tfm::train
