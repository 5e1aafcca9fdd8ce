// oneDNN's sgemm. Measured on this project's training shapes it ran 1.5-2.2x faster than
// OpenBLAS (docs/performance.md), and it threads with OpenMP, like our own kernels, so the
// two share one thread pool instead of oversubscribing the cores. Products in bfloat16 go
// through oneDNN's matmul primitive, which has the AVX512_BF16 kernels.
#include "kernels/matmul.h"

#include <dnnl.h>
#include <omp.h>

#include <bit>
#include <cassert>
#include <dnnl.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/profile.h"

namespace tfm::kernels {

namespace {

// Each thread packs all of W for its own product: below this many rows per thread (a beam
// search step's vocabulary projection has 256) that packing outweighs the gain.
constexpr int64_t kMinRowsPerThread = 512;

dnnl_status_t sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                    int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  return dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm_float32(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                  int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc, bool nested) {
  dnnl_status_t status = dnnl_success;
  const int threads = omp_get_max_threads();
  if (!nested && !trans_a && trans_b && threads > 1 && m >= kMinRowsPerThread * threads) {
    // x W^T, every linear layer's forward: oneDNN's own split between threads lost up to a
    // quarter of its speed where W is wider than tall (d_ff -> d_model: 330 GFLOP/s against
    // 445 on 2 threads), while a block of rows per thread, each a one-thread product, ran
    // as fast or faster on every shape of configs S and B (docs/performance.md).
    int failed = dnnl_success;  // any thread's non-success status
#pragma omp parallel reduction(max : failed)
    {
      const int64_t parts = omp_get_num_threads(), part = omp_get_thread_num();
      const int64_t first = m * part / parts, last = m * (part + 1) / parts;
      failed = sgemm(false, true, last - first, n, k, alpha, a + first * lda, lda, b, ldb, beta, c + first * ldc, ldc);
    }
    status = dnnl_status_t(failed);
  } else {
    status = sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  if (status != dnnl_success)
    throw std::runtime_error("dnnl_sgemm failed with status " + std::to_string(status));
}

uint16_t to_bfloat16(float x) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return uint16_t((bits >> 16) | 0x40);  // NaN stays NaN
  return uint16_t((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);                  // nearest, ties to even
}

// The rows x cols block at x (rows ld apart) in bfloat16, packed (rows cols apart).
uint16_t* pack_bfloat16(const float* x, int64_t rows, int64_t cols, int64_t ld, std::vector<uint16_t>& packed) {
  packed.resize(size_t(rows * cols));
  uint16_t* out = packed.data();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[r * cols + c] = to_bfloat16(x[r * ld + c]);
  return out;
}

void gemm_bfloat16(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                   int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  using dims = dnnl::memory::dims;
  using dtype = dnnl::memory::data_type;
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  thread_local std::vector<uint16_t> a_buffer, b_buffer;
  // The inputs as they are laid out, each packed: the primitive reads a transposed one
  // through its strides.
  uint16_t* a16 = trans_a ? pack_bfloat16(a, k, m, lda, a_buffer) : pack_bfloat16(a, m, k, lda, a_buffer);
  uint16_t* b16 = trans_b ? pack_bfloat16(b, n, k, ldb, b_buffer) : pack_bfloat16(b, k, n, ldb, b_buffer);
  const dnnl::memory::desc a_desc({m, k}, dtype::bf16, trans_a ? dims{1, m} : dims{k, 1});
  const dnnl::memory::desc b_desc({k, n}, dtype::bf16, trans_b ? dims{1, k} : dims{n, 1});
  const dnnl::memory::desc c_desc({m, n}, dtype::f32, dims{ldc, 1});
  dnnl::primitive_attr attributes;  // C = alpha * (A B), then + beta * C
  if (alpha != 1.0f) attributes.set_output_scales(0, {alpha});
  if (beta != 0.0f) {
    dnnl::post_ops sum;
    sum.append_sum(beta);
    attributes.set_post_ops(sum);
  }
  // A step's products have a few dozen distinct shapes; oneDNN keeps the primitives it has
  // built (its primitive cache), so asking again for a known shape costs microseconds.
  const dnnl::matmul product(
      dnnl::matmul::primitive_desc(dnnl::matmul::desc(a_desc, b_desc, c_desc), attributes, engine));
  dnnl::stream stream(engine);
  product.execute(stream, {{DNNL_ARG_SRC, dnnl::memory(a_desc, engine, a16)},
                           {DNNL_ARG_WEIGHTS, dnnl::memory(b_desc, engine, b16)},
                           {DNNL_ARG_DST, dnnl::memory(c_desc, engine, c)}});
  stream.wait();
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc, Precision precision) {
  // Inside a parallel region (attention's per-head products) oneDNN runs on the calling
  // thread alone, and the caller's own scope times it.
  const bool nested = omp_in_parallel();
  const profile::Scope scope(nested ? nullptr : "gemm", 2.0 * double(m) * double(n) * double(k));
  if (m == 0 || n == 0) return;
  if (precision == Precision::bfloat16 && !nested && k > 0) {
    assert(bfloat16_is_native() && "callers check with require_native_bfloat16() first");
    gemm_bfloat16(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  } else {
    gemm_float32(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nested);
  }
}

bool bfloat16_is_native() {
  // oneDNN's view of the CPU, which ONEDNN_MAX_CPU_ISA can narrow (to try the float32 path).
  const unsigned isa = unsigned(dnnl::get_effective_cpu_isa());
  const unsigned needed = unsigned(dnnl::cpu_isa::avx512_core_bf16);
  return (isa & needed) == needed;
}

void require_native_bfloat16(const char* option) {
  if (!bfloat16_is_native())
    throw std::runtime_error(std::string(option) + " bfloat16: this CPU does not multiply bfloat16 natively (it lacks "
                             "AVX512_BF16), so it would run slower than float32; give float32");
}

void set_num_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace tfm::kernels
