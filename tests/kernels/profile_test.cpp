#include "kernels/profile.h"

#include <gtest/gtest.h>

#include <vector>

#include "app/profile_report.h"
#include "kernels/matmul.h"

namespace tfm::kernels {
namespace {

// Profiling is global: each test leaves it off and empty.
struct ProfileOn {
  ProfileOn() {
    profile::clear();
    profile::set_enabled(true);
  }
  ~ProfileOn() {
    profile::set_enabled(false);
    profile::clear();
  }
};

TEST(Profile, CountsCallsAndMatrixProductFlops) {
  const ProfileOn on;
  std::vector<float> a(6 * 4, 1.0f), b(4 * 5, 1.0f), c(6 * 5);
  for (int i = 0; i < 3; ++i) gemm(false, false, 6, 5, 4, 1.0f, a.data(), 4, b.data(), 5, 0.0f, c.data(), 5);
  const auto totals = profile::totals();
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0].name, "gemm");
  EXPECT_EQ(totals[0].calls, 3);
  EXPECT_DOUBLE_EQ(totals[0].flops, 3 * 2.0 * 6 * 5 * 4);
  EXPECT_GT(totals[0].seconds, 0.0);
}

TEST(Profile, RecordsNothingWhenOff) {
  profile::clear();
  { const profile::Scope scope("idle"); }
  EXPECT_TRUE(profile::totals().empty());
}

TEST(Profile, ReportSharesAddUpToTheWallTime) {
  const std::vector<profile::Totals> totals = {{"gemm", 20, 0.6, 1.2e11}, {"layer_norm_forward", 10, 0.1, 0.0}};
  const std::string report = app::profile_report(totals, 1.0, 10, "step");
  // 0.6 s of 1 s in gemm over 10 steps: 60 ms a step, 60%, 200 GFLOP/s; 0.3 s outside kernels.
  EXPECT_NE(report.find("gemm                          2.0     60.000   60.0%     200.0"), std::string::npos) << report;
  EXPECT_NE(report.find("(outside kernels)                     30.000   30.0%"), std::string::npos) << report;
  EXPECT_NE(report.find("total                                100.000  100.0%"), std::string::npos) << report;
}

}  // namespace
}  // namespace tfm::kernels
