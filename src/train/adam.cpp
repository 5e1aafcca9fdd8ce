#include "train/adam.h"

#include <cassert>
#include <cmath>

#include "kernels/profile.h"

namespace tfm::train {

Adam::Adam(const ParameterSet& params, AdamOptions options) : options_(options) {
  for (const auto& e : params.entries()) {
    m_.emplace_back(e.param.value.numel(), 0.0f);
    v_.emplace_back(e.param.value.numel(), 0.0f);
  }
}

void Adam::step(ParameterSet& params, double lr) {
  assert(params.entries().size() == m_.size());
  const kernels::profile::Scope scope("adam");
  ++steps_;
  const float beta1 = float(options_.beta1), beta2 = float(options_.beta2);
  // torch.optim.Adam: p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps).
  const double bias_correction1 = 1.0 - std::pow(options_.beta1, double(steps_));
  const double bias_correction2 = 1.0 - std::pow(options_.beta2, double(steps_));
  const float step_size = float(lr / bias_correction1);
  const float inv_sqrt_bc2 = float(1.0 / std::sqrt(bias_correction2));
  const float epsilon = float(options_.epsilon);
  for (size_t p = 0; p < m_.size(); ++p) {
    const Param& param = params.entries()[p].param;
    float* w = param.value.data;
    const float* g = param.grad.data;
    float* m = m_[p].data();
    float* v = v_[p].data();
    const int64_t n = param.value.numel();
#pragma omp parallel for schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; ++i) {
      m[i] = beta1 * m[i] + (1.0f - beta1) * g[i];
      v[i] = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
      w[i] -= step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_bc2 + epsilon);
    }
  }
}

}  // namespace tfm::train
