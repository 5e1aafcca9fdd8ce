#pragma once
// The machine's measured single-precision matrix-product rate, the ceiling model FLOPs per
// second are compared with (MFU).
#include <cstdint>
#include <vector>

namespace tfm::kernels {

struct GemmShape {
  int64_t m, n, k;
  bool trans_a, trans_b;
};

// GFLOP/s of gemm() on each shape (all threads), the best of a few timed repetitions.
double measure_gemm_gflops(const GemmShape& shape, double seconds_per_shape = 0.3);

}  // namespace tfm::kernels
