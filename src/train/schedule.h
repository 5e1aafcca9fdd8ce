#pragma once
// The paper's learning-rate schedule (§5.3, eq. 3): linear warm-up, then decay with the
// inverse square root of the step,
//   lr(step) = d_model^-0.5 * min(step^-0.5, step * warmup^-1.5),
// written here by its peak (reached at step = warmup): lr = peak * min(step / warmup,
// sqrt(warmup / step)). The paper's peak is (d_model * warmup)^-0.5.
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace tfm::train {

struct InverseSqrtSchedule {
  double peak_lr;
  int64_t warmup_steps;

  static InverseSqrtSchedule paper(int d_model, int64_t warmup_steps, double factor = 1.0) {
    return {factor / std::sqrt(double(d_model) * double(warmup_steps)), warmup_steps};
  }

  // step counts from 1.
  double operator()(int64_t step) const {
    const double s = double(std::max<int64_t>(step, 1)), w = double(std::max<int64_t>(warmup_steps, 1));
    return peak_lr * std::min(s / w, std::sqrt(w / s));
  }
};

}  // namespace tfm::train
