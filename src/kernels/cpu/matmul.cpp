// oneDNN's sgemm. Measured on this project's training shapes it ran 1.5-2.2x faster than
// OpenBLAS (docs/performance.md), and it threads with OpenMP, like our own kernels, so the
// two share one thread pool instead of oversubscribing the cores.
#include "kernels/matmul.h"

#include <dnnl.h>
#include <omp.h>

#include <cassert>
#include <stdexcept>
#include <string>

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

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  // Inside a parallel region (attention's per-head products) oneDNN runs on the calling
  // thread alone, and the caller's own scope times it.
  const bool nested = omp_in_parallel();
  const profile::Scope scope(nested ? nullptr : "gemm", 2.0 * double(m) * double(n) * double(k));
  if (m == 0 || n == 0) return;
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

void set_num_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace tfm::kernels
