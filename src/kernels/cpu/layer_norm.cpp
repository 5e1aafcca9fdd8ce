#include "kernels/layer_norm.h"

#include <algorithm>
#include <cmath>

#include "kernels/profile.h"

namespace tfm::kernels {

namespace {

// y = x + dropout(s), elements numbered from `first` in the dropout stream.
void add_dropped(const float* x, const float* s, Dropout d, uint32_t first, float* y, int64_t n) {
  if (d.active()) {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] + s[i] * d.scale(first + uint32_t(i));
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] + s[i];
  }
}

}  // namespace

void layer_norm_forward(const LayerNormShape& shape, const float* x, const float* s, Dropout s_dropout,
                        const float* gamma, const float* beta, float* residual_out, float* y, float* mean,
                        float* rstd) {
  const profile::Scope scope("layer_norm_forward");
  const int64_t cols = shape.cols;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < shape.rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    // The residual sum goes through y's row, which stays in cache for the normalisation.
    if (s) {
      const float* sr = s + r * cols;
      add_dropped(xr, sr, s_dropout, static_cast<uint32_t>(r * cols), yr, cols);
      if (residual_out) std::copy(yr, yr + cols, residual_out + r * cols);
      xr = yr;
    }
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t c = 0; c < cols; ++c) sum += xr[c];
    const float mu = sum / float(cols);
    float var = 0.0f;
#pragma omp simd reduction(+ : var)
    for (int64_t c = 0; c < cols; ++c) var += (xr[c] - mu) * (xr[c] - mu);
    const float inv_std = 1.0f / std::sqrt(var / float(cols) + shape.eps);
    for (int64_t c = 0; c < cols; ++c) yr[c] = (xr[c] - mu) * inv_std * gamma[c] + beta[c];
    mean[r] = mu;
    rstd[r] = inv_std;
  }
}

void layer_norm_backward(const LayerNormShape& shape, const float* dy, const float* r, const float* mean,
                         const float* rstd, const float* gamma, float* dr, bool accumulate, float* dgamma,
                         float* dbeta) {
  const profile::Scope scope("layer_norm_backward");
  const int64_t cols = shape.cols;
  // dr = rstd * (g - mean(g) - r_hat * mean(g * r_hat)) with g = dy * gamma.
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < shape.rows; ++i) {
    const float* dyi = dy + i * cols;
    const float* ri = r + i * cols;
    float* dri = dr + i * cols;
    const float mu = mean[i], inv_std = rstd[i];
    float g_mean = 0.0f, g_rhat_mean = 0.0f;
#pragma omp simd reduction(+ : g_mean, g_rhat_mean)
    for (int64_t c = 0; c < cols; ++c) {
      const float g = dyi[c] * gamma[c];
      g_mean += g;
      g_rhat_mean += g * (ri[c] - mu) * inv_std;
    }
    g_mean /= float(cols);
    g_rhat_mean /= float(cols);
    for (int64_t c = 0; c < cols; ++c) {
      const float r_hat = (ri[c] - mu) * inv_std;
      const float d = inv_std * (dyi[c] * gamma[c] - g_mean - r_hat * g_rhat_mean);
      dri[c] = accumulate ? dri[c] + d : d;
    }
  }
  // Parameter gradients sum over rows: split the columns across threads instead, so no two
  // threads write the same element.
  constexpr int64_t kBlock = 64;
#pragma omp parallel for schedule(static)
  for (int64_t c0 = 0; c0 < cols; c0 += kBlock) {
    const int64_t c1 = std::min(cols, c0 + kBlock);
    for (int64_t i = 0; i < shape.rows; ++i) {
      const float* dyi = dy + i * cols;
      const float* ri = r + i * cols;
      for (int64_t c = c0; c < c1; ++c) {
        dgamma[c] += dyi[c] * (ri[c] - mean[i]) * rstd[i];
        dbeta[c] += dyi[c];
      }
    }
  }
}

void residual_add(const float* x, const float* s, Dropout s_dropout, float* r, int64_t n) {
  const profile::Scope scope("residual_add");
  constexpr int64_t kBlock = 4096;  // elements per task, numbered in the dropout stream from its first
#pragma omp parallel for schedule(static) if (n > 32768)
  for (int64_t b = 0; b < n; b += kBlock)
    add_dropped(x + b, s + b, s_dropout, uint32_t(b), r + b, std::min(kBlock, n - b));
}

void add_in_place(float* dst, const float* src, int64_t n) {
  const profile::Scope scope("add_in_place");
#pragma omp parallel for schedule(static) if (n > 32768)
  for (int64_t i = 0; i < n; ++i) dst[i] += src[i];
}

}  // namespace tfm::kernels
