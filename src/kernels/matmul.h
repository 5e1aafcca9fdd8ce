#pragma once
// Matrix products, the bulk of every Transformer step: all of them go through here.
#include <cstdint>

namespace tfm::kernels {

// C[m, n] = alpha * op(A) * op(B) + beta * C, row-major with explicit leading dimensions;
// op(X) is X or its transpose. A is [m, k] (or [k, m] when trans_a), B is [k, n] (or [n, k]).
// Called inside a parallel region, it runs on the calling thread alone.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// Threads for our kernels and the matrix products; 0 leaves the OpenMP default.
void set_num_threads(int threads);
int num_threads();

}  // namespace tfm::kernels
