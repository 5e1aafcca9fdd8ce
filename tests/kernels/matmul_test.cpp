// The products in bfloat16 against a reference in double of the same products on inputs
// rounded to bfloat16 here, independently of the kernel's own rounding.
#include "kernels/matmul.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "tensor/random.h"

namespace tfm::kernels {
namespace {

// Keeps the top 8 bits of the mantissa, rounding to nearest with ties to even, by adding
// half of the dropped part's unit and truncating: std::nextafter-free, and not the kernel's code.
double bfloat16_value(float x) {
  const float truncated = std::bit_cast<float>(std::bit_cast<uint32_t>(x) & 0xffff0000u);
  const float unit = std::bit_cast<float>((std::bit_cast<uint32_t>(x) & 0x7f800000u)) / 128.0f;  // spacing at x
  const double rest = std::fabs(double(x) - double(truncated));
  const bool odd = (std::bit_cast<uint32_t>(truncated) >> 16) & 1u;
  if (rest > unit / 2 || (rest == unit / 2 && odd)) return double(truncated) + std::copysign(double(unit), x);
  return double(truncated);
}

struct Case {
  bool trans_a, trans_b;
  float alpha, beta;
};

TEST(GemmBfloat16, EqualsTheProductOfRoundedInputsAccumulatedInFloat32) {
  if (!bfloat16_is_native()) GTEST_SKIP() << "this CPU has no AVX512_BF16: tfm never multiplies in bfloat16 here";
  const int64_t m = 37, n = 29, k = 300, pad = 3;  // odd sizes, rows further apart than they are long
  SplitMix64 rng(5);
  auto uniform = [&] { return float(double(rng.next() >> 11) / double(1ull << 53) * 2.0 - 1.0); };
  for (const Case c : {Case{false, true, 1.0f, 1.0f}, Case{true, false, 1.0f, 1.0f}, Case{false, false, 1.0f, 0.0f},
                       Case{true, true, 0.5f, 0.25f}}) {
    const int64_t a_rows = c.trans_a ? k : m, a_cols = c.trans_a ? m : k, lda = a_cols + pad;
    const int64_t b_rows = c.trans_b ? n : k, b_cols = c.trans_b ? k : n, ldb = b_cols + pad, ldc = n + pad;
    std::vector<float> a(size_t(a_rows * lda)), b(size_t(b_rows * ldb)), c0(size_t(m * ldc));
    for (float& x : a) x = uniform();
    for (float& x : b) x = uniform();
    for (float& x : c0) x = uniform();
    auto a_at = [&](int64_t i, int64_t p) { return c.trans_a ? a[size_t(p * lda + i)] : a[size_t(i * lda + p)]; };
    auto b_at = [&](int64_t p, int64_t j) { return c.trans_b ? b[size_t(j * ldb + p)] : b[size_t(p * ldb + j)]; };
    std::vector<float> c16 = c0, c32 = c0;
    gemm(c.trans_a, c.trans_b, m, n, k, c.alpha, a.data(), lda, b.data(), ldb, c.beta, c16.data(), ldc,
         Precision::bfloat16);
    gemm(c.trans_a, c.trans_b, m, n, k, c.alpha, a.data(), lda, b.data(), ldb, c.beta, c32.data(), ldc);
    double largest_rounding_effect = 0.0;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double rounded = 0.0, exact = 0.0, magnitude = 0.0;
        for (int64_t p = 0; p < k; ++p) {
          rounded += bfloat16_value(a_at(i, p)) * bfloat16_value(b_at(p, j));
          exact += double(a_at(i, p)) * double(b_at(p, j));
          magnitude += std::fabs(double(a_at(i, p)) * double(b_at(p, j)));
        }
        const double before = c0[size_t(i * ldc + j)];
        // float32 accumulation over k = 300 terms: a few ulps of the sum of magnitudes.
        const double tolerance = 1e-6 * (magnitude + std::fabs(before));
        EXPECT_NEAR(c16[size_t(i * ldc + j)], c.alpha * rounded + c.beta * before, tolerance) << i << "," << j;
        EXPECT_NEAR(c32[size_t(i * ldc + j)], c.alpha * exact + c.beta * before, tolerance) << i << "," << j;
        largest_rounding_effect = std::max(largest_rounding_effect, std::fabs(c.alpha * (rounded - exact)));
      }
    // The rounding is real: it moves some products by far more than the tolerance above.
    EXPECT_GT(largest_rounding_effect, 1e-3);
    for (int64_t i = 0; i < m; ++i)  // the padding between rows is left alone
      for (int64_t j = n; j < ldc; ++j) EXPECT_EQ(c16[size_t(i * ldc + j)], c0[size_t(i * ldc + j)]);
  }
}

TEST(GemmBfloat16, ReferenceRoundingTiesToEven) {
  EXPECT_EQ(bfloat16_value(1.0f + 1.0f / 256), 1.0);                   // halfway, 1.0 is even
  EXPECT_EQ(bfloat16_value(1.0f + 3.0f / 256), 1.0 + 4.0 / 256);       // halfway, rounds up to even
  EXPECT_EQ(bfloat16_value(-(1.0f + 1.5f / 256)), -(1.0 + 2.0 / 256));  // past halfway, away from zero
}

}  // namespace
}  // namespace tfm::kernels
