// Compiled once per SIMD target that Highway supports at or above the build's baseline
// (AVX2 by default; AVX-512 too), and dispatched at run time to the best one the CPU has:
// a portable build still runs its exponentials 16 lanes wide on an AVX-512 machine.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/vector_math.cpp"
#include <hwy/foreach_target.h>  // before highway.h: re-includes this file per target

#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "kernels/cpu/vector_math.h"

HWY_BEFORE_NAMESPACE();
namespace tfm::kernels::HWY_NAMESPACE {

namespace hn = hwy::HWY_NAMESPACE;

template <bool kStore>
float ExpShifted(const float* x, int64_t n, float shift, float* y) {
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

float ExpShiftedStore(const float* x, int64_t n, float shift, float* y) { return ExpShifted<true>(x, n, shift, y); }

float SumExpShifted(const float* x, int64_t n, float shift) { return ExpShifted<false>(x, n, shift, nullptr); }

float RowMax(const float* x, int64_t n) {
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

}  // namespace tfm::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace tfm::kernels {

HWY_EXPORT(ExpShiftedStore);
HWY_EXPORT(SumExpShifted);
HWY_EXPORT(RowMax);

float exp_shifted(const float* x, int64_t n, float shift, float* y) {
  return HWY_DYNAMIC_DISPATCH(ExpShiftedStore)(x, n, shift, y);
}

float sum_exp_shifted(const float* x, int64_t n, float shift) {
  return HWY_DYNAMIC_DISPATCH(SumExpShifted)(x, n, shift);
}

float row_max(const float* x, int64_t n) { return HWY_DYNAMIC_DISPATCH(RowMax)(x, n); }

}  // namespace tfm::kernels
#endif  // HWY_ONCE
