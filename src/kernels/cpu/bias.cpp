#include "kernels/bias.h"

#include <algorithm>

#include "kernels/profile.h"

namespace tfm::kernels {

void broadcast_rows(const float* bias, int64_t rows, int64_t cols, float* y) {
  const profile::Scope scope("broadcast_rows");
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) std::copy(bias, bias + cols, y + r * cols);
}

void add_column_sums(const float* dy, int64_t rows, int64_t cols, float* dbias) {
  const profile::Scope scope("add_column_sums");
  // Columns split across threads, so each output element has one writer; a block's sums
  // stay in registers while the rows stream past.
  constexpr int64_t kBlock = 64;
#pragma omp parallel for schedule(static)
  for (int64_t c0 = 0; c0 < cols; c0 += kBlock) {
    const int64_t width = std::min(kBlock, cols - c0);
    float sums[kBlock] = {};
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = dy + r * cols + c0;
#pragma omp simd
      for (int64_t c = 0; c < width; ++c) sums[c] += row[c];
    }
    for (int64_t c = 0; c < width; ++c) dbias[c0 + c] += sums[c];
  }
}

}  // namespace tfm::kernels
