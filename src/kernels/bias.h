#pragma once
// The "+ b" of y = x W^T + b, and its gradient, for [rows, cols] row-major matrices.
#include <cstdint>

namespace tfm::kernels {

// y[r, :] = bias (the matrix product then accumulates on top).
void broadcast_rows(const float* bias, int64_t rows, int64_t cols, float* y);

// dbias += sum over rows of dy.
void add_column_sums(const float* dy, int64_t rows, int64_t cols, float* dbias);

}  // namespace tfm::kernels
