#pragma once
// Matrix products, the bulk of every Transformer step: all of them go through here.
#include <cstdint>

namespace tfm::kernels {

// What a product multiplies. bfloat16 rounds both inputs to bfloat16 (8 bits of mantissa) and
// accumulates in float32, as PyTorch's float32_matmul_precision "medium" and mixed-precision
// training do: where the CPU multiplies bfloat16 pairs natively (AVX512_BF16) a product runs
// about 1.5x faster. The output and everything around it stay float32.
enum class Precision { float32, bfloat16 };

// C[m, n] = alpha * op(A) * op(B) + beta * C, row-major with explicit leading dimensions;
// op(X) is X or its transpose. A is [m, k] (or [k, m] when trans_a), B is [k, n] (or [n, k]).
// Called inside a parallel region, it runs on the calling thread alone, in float32.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
          Precision precision = Precision::float32);

// Whether this CPU multiplies bfloat16 natively; without that, Precision::bfloat16 would be
// slower than float32, so callers must not ask gemm() for it (it asserts so).
bool bfloat16_is_native();
// Throws std::runtime_error, naming `option`, when it is not: the check at the boundaries.
void require_native_bfloat16(const char* option);

// Threads for our kernels and the matrix products; 0 leaves the OpenMP default.
void set_num_threads(int threads);
int num_threads();

}  // namespace tfm::kernels
