#include "tensor/shuffle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

namespace tfm {
namespace {

std::vector<int> iota(int n) {
  std::vector<int> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(Shuffle, IsAPermutationFixedByTheSeed) {
  std::vector<int> a = iota(1000), b = iota(1000), c = iota(1000);
  SplitMix64 rng_a(7), rng_b(7), rng_c(8);
  shuffle(a.begin(), a.end(), rng_a);
  shuffle(b.begin(), b.end(), rng_b);
  shuffle(c.begin(), c.end(), rng_c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, iota(1000));
  std::sort(a.begin(), a.end());
  EXPECT_EQ(a, iota(1000));
}

// Each element should be drawn into a 2-of-10 sample about 20% of the time.
TEST(Shuffle, PartialShuffleSamplesUniformly) {
  std::vector<int> hits(10, 0);
  SplitMix64 rng(1);
  const int trials = 20000;
  for (int t = 0; t < trials; ++t) {
    std::vector<int> v = iota(10);
    partial_shuffle(v.begin(), v.end(), 2, rng);
    ++hits[static_cast<size_t>(v[0])];
    ++hits[static_cast<size_t>(v[1])];
  }
  for (int h : hits) EXPECT_NEAR(h / double(trials), 0.2, 0.015);
}

}  // namespace
}  // namespace tfm
