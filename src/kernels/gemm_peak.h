#pragma once
// The machine's measured matrix-product rate (float32, or bfloat16 inputs), the ceiling model FLOPs per
// second are compared with (MFU).
#include <cstdint>
#include <vector>

#include "kernels/matmul.h"

namespace tfm::kernels {

struct GemmShape {
  int64_t m, n, k;
  bool trans_a, trans_b;
};

// GFLOP/s of gemm() on each shape (all threads), the best of a few timed repetitions.
double measure_gemm_gflops(const GemmShape& shape, Precision precision = Precision::float32,
                           double seconds_per_shape = 0.3);

}  // namespace tfm::kernels
