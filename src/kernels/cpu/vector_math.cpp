#include "kernels/cpu/vector_math.h"

#include <algorithm>
#include <cmath>

#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

namespace tfm::kernels {

namespace hn = hwy::HWY_NAMESPACE;

namespace {

template <bool kStore>
float exp_shifted_impl(const float* x, int64_t n, float shift, float* y) {
  const hn::ScalableTag<float> d;
  const int64_t lanes = int64_t(hn::Lanes(d));
  const auto shift_v = hn::Set(d, shift);
  auto sum_v = hn::Zero(d);
  int64_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto e = hn::Exp(d, hn::Sub(hn::LoadU(d, x + i), shift_v));
    if constexpr (kStore) hn::StoreU(e, d, y + i);
    sum_v = hn::Add(sum_v, e);
  }
  float sum = hn::GetLane(hn::SumOfLanes(d, sum_v));
  for (; i < n; ++i) {  // the last few, one at a time
    const float e = std::exp(x[i] - shift);
    if constexpr (kStore) y[i] = e;
    sum += e;
  }
  return sum;
}

}  // namespace

float exp_shifted(const float* x, int64_t n, float shift, float* y) { return exp_shifted_impl<true>(x, n, shift, y); }

float sum_exp_shifted(const float* x, int64_t n, float shift) {
  return exp_shifted_impl<false>(x, n, shift, nullptr);
}

float row_max(const float* x, int64_t n) {
  const hn::ScalableTag<float> d;
  const int64_t lanes = int64_t(hn::Lanes(d));
  float best = x[0];
  int64_t i = 0;
  if (n >= lanes) {
    auto max_v = hn::LoadU(d, x);
    for (i = lanes; i + lanes <= n; i += lanes) max_v = hn::Max(max_v, hn::LoadU(d, x + i));
    best = hn::GetLane(hn::MaxOfLanes(d, max_v));
  }
  for (; i < n; ++i) best = std::max(best, x[i]);
  return best;
}

}  // namespace tfm::kernels
