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

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  // Inside a parallel region (attention's per-head products) oneDNN runs on the calling
  // thread alone, and the caller's own scope times it.
  const profile::Scope scope(omp_in_parallel() ? nullptr : "gemm", 2.0 * double(m) * double(n) * double(k));
  if (m == 0 || n == 0) return;
  const dnnl_status_t status = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a,
                                          lda, b, ldb, beta, c, ldc);
  if (status != dnnl_success)
    throw std::runtime_error("dnnl_sgemm failed with status " + std::to_string(status));
}

void set_num_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace tfm::kernels
