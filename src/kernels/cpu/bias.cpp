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
  // Columns split across threads, so each output element has one writer.
  constexpr int64_t kBlock = 64;
#pragma omp parallel for schedule(static)
  for (int64_t c0 = 0; c0 < cols; c0 += kBlock) {
    const int64_t c1 = std::min(cols, c0 + kBlock);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = c0; c < c1; ++c) dbias[c] += dy[r * cols + c];
  }
}

}  // namespace tfm::kernels
