#include "kernels/activation.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "kernels/profile.h"

namespace tfm::kernels {

namespace {

// Exact GELU, x * Phi(x), as torch.nn.functional.gelu computes it by default.
inline float gelu(float x) { return 0.5f * x * (1.0f + std::erf(x * float(std::numbers::sqrt2 / 2))); }

inline float gelu_derivative(float x) {
  const float cdf = 0.5f * (1.0f + std::erf(x * float(std::numbers::sqrt2 / 2)));
  const float pdf = std::exp(-0.5f * x * x) * float(0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2);
  return cdf + x * pdf;
}

// Templates on the dropout too, so that each loop is branch-free and vectorises.
template <Activation kAct, bool kDropout>
void forward(const float* u, Dropout d, float* h, int64_t n) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    float v = kAct == Activation::ReLU ? std::max(u[i], 0.0f) : gelu(u[i]);
    if constexpr (kDropout) v *= d.scale(uint32_t(i));
    h[i] = v;
  }
}

template <Activation kAct, bool kDropout>
void backward(const float* u, const float* dh, Dropout d, float* du, int64_t n) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    float g = kAct == Activation::ReLU ? (u[i] > 0.0f ? dh[i] : 0.0f) : dh[i] * gelu_derivative(u[i]);
    if constexpr (kDropout) g *= d.scale(uint32_t(i));
    du[i] = g;
  }
}

}  // namespace

void activation_forward(Activation act, const float* u, Dropout d, float* h, int64_t n) {
  const profile::Scope scope("activation_forward");
  if (act == Activation::ReLU)
    d.active() ? forward<Activation::ReLU, true>(u, d, h, n) : forward<Activation::ReLU, false>(u, d, h, n);
  else
    d.active() ? forward<Activation::GELU, true>(u, d, h, n) : forward<Activation::GELU, false>(u, d, h, n);
}

void activation_backward(Activation act, const float* u, const float* dh, Dropout d, float* du, int64_t n) {
  const profile::Scope scope("activation_backward");
  if (act == Activation::ReLU)
    d.active() ? backward<Activation::ReLU, true>(u, dh, d, du, n) : backward<Activation::ReLU, false>(u, dh, d, du, n);
  else
    d.active() ? backward<Activation::GELU, true>(u, dh, d, du, n) : backward<Activation::GELU, false>(u, dh, d, du, n);
}

}  // namespace tfm::kernels
