#include "kernels/gemm_peak.h"

#include <algorithm>
#include <chrono>

#include "kernels/matmul.h"

namespace tfm::kernels {

double measure_gemm_gflops(const GemmShape& s, Precision precision, double seconds_per_shape) {
  std::vector<float> a(size_t(s.m * s.k), 0.5f), b(size_t(s.k * s.n), 0.25f), c(size_t(s.m * s.n));
  const int64_t lda = s.trans_a ? s.m : s.k, ldb = s.trans_b ? s.k : s.n;
  auto run = [&] { gemm(s.trans_a, s.trans_b, s.m, s.n, s.k, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, c.data(), s.n,
                          precision); };
  run();  // warm-up
  double best = 0.0;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds_per_shape) {
    const auto t0 = std::chrono::steady_clock::now();
    run();
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, 2.0 * double(s.m) * double(s.n) * double(s.k) / dt / 1e9);
  }
  return best;
}

}  // namespace tfm::kernels
