#include <gtest/gtest.h>

#include "train/adam.h"
#include "train/clip.h"
#include "train/schedule.h"

namespace tfm::train {
namespace {

// Expected values from torch.optim.Adam (torch 1.13, float64), lr changed between steps:
//   p = Parameter(tensor([0.5, -1.0, 2.0, 0.0])); Adam([p], betas=(0.9, 0.98), eps=1e-9)
//   grads [0.1,-0.2,0.3,0], [1,0.5,-0.25,1e-3], [-0.3,0,0.2,2]; lrs 0.01, 0.02, 0.005
TEST(Adam, MatchesTorchOptimAdam) {
  ParameterSet params;
  Param p = params.add("p", {4});
  const float init[4] = {0.5f, -1.0f, 2.0f, 0.0f};
  std::copy(init, init + 4, p.value.data);
  Adam adam(params);
  const float grads[3][4] = {{0.1f, -0.2f, 0.3f, 0.0f}, {1.0f, 0.5f, -0.25f, 1e-3f}, {-0.3f, 0.0f, 0.2f, 2.0f}};
  const double lrs[3] = {0.01, 0.02, 0.005};
  const double expected[3][4] = {
      {0.4900000001, -0.99000000005, 1.9900000000333333, 0.0},
      {0.4739336286320708, -0.9988137316841695, 1.9892368984445243, -0.014811818399471747},
      {0.47186005821067056, -1.000525260536458, 1.9876448932770951, -0.01797700454058364}};
  for (int s = 0; s < 3; ++s) {
    std::copy(grads[s], grads[s] + 4, p.grad.data);
    adam.step(params, lrs[s]);
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(p.value.data[i], expected[s][i], 2e-6) << "step " << s << " i " << i;
  }
  EXPECT_EQ(adam.steps_taken(), 3);
}

TEST(Schedule, PaperFormula) {
  // Paper eq. 3 with d_model 512, warmup 4000, evaluated by hand.
  const auto schedule = LearningRateSchedule::paper(512, 4000);
  auto paper = [](double step) { return std::pow(512.0, -0.5) * std::min(std::pow(step, -0.5), step * std::pow(4000.0, -1.5)); };
  for (int64_t step : {1, 10, 1000, 3999, 4000, 4001, 20000, 100000})
    EXPECT_NEAR(schedule(step), paper(double(step)), 1e-12) << step;
  EXPECT_NEAR(schedule(4000), 1.0 / std::sqrt(512.0 * 4000.0), 1e-15);
}

TEST(Schedule, LinearDecayReachesZeroAtTheLastStep) {
  LearningRateSchedule schedule{2.0, 100, LrDecay::linear, 500};
  EXPECT_DOUBLE_EQ(schedule(50), 1.0);    // warm-up: 2.0 * 50 / 100
  EXPECT_DOUBLE_EQ(schedule(100), 2.0);   // the peak
  EXPECT_DOUBLE_EQ(schedule(300), 1.0);   // half way from the peak to step 500
  EXPECT_DOUBLE_EQ(schedule(500), 0.0);
  EXPECT_DOUBLE_EQ(schedule(600), 0.0);
}

TEST(Schedule, InverseSqrtToZeroScalesThePapersRateByTheBudgetLeft) {
  LearningRateSchedule schedule{2.0, 100, LrDecay::inverse_sqrt_to_zero};
  EXPECT_DOUBLE_EQ(schedule(50, 0.0), 1.0);     // warm-up, nothing spent
  EXPECT_DOUBLE_EQ(schedule(100, 0.25), 1.5);   // the peak, a quarter spent
  EXPECT_DOUBLE_EQ(schedule(400, 0.5), 0.5);    // 2.0 * sqrt(100 / 400) * (1 - 0.5)
  EXPECT_DOUBLE_EQ(schedule(400, 1.0), 0.0);    // the budget is spent
  EXPECT_DOUBLE_EQ(schedule(400, 1.2), 0.0);    // a step past it: never negative
}

TEST(Clip, ScalesToMaxNorm) {
  ParameterSet params;
  Param a = params.add("a", {2});
  Param b = params.add("b", {1});
  a.grad.data[0] = 3.0f;
  a.grad.data[1] = 0.0f;
  b.grad.data[0] = 4.0f;  // global norm 5
  EXPECT_DOUBLE_EQ(clip_grad_norm(params, 10.0), 5.0);
  EXPECT_FLOAT_EQ(b.grad.data[0], 4.0f);  // under the limit: untouched
  EXPECT_DOUBLE_EQ(clip_grad_norm(params, 1.0), 5.0);
  EXPECT_NEAR(a.grad.data[0], 0.6f, 1e-6);
  EXPECT_NEAR(b.grad.data[0], 0.8f, 1e-6);
}

}  // namespace
}  // namespace tfm::train
