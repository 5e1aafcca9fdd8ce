#pragma once
// Learning-rate schedules: a linear warm-up to a peak, then a decay.
//
// The paper's (§5.3, eq. 3) decays with the inverse square root of the step,
//   lr(step) = d_model^-0.5 * min(step^-0.5, step * warmup^-1.5),
// written here by its peak (reached at step = warmup): lr = peak * min(step / warmup,
// sqrt(warmup / step)). The paper's peak is (d_model * warmup)^-0.5.
//
// The linear decay (fairseq's polynomial_decay of power 1) reaches zero at a known last step
// instead: a run whose length is fixed in advance ends on a small learning rate, which is
// worth several points of accuracy when it is short. The inverse square root to zero does the
// same for a budget of any kind, time included: the paper's rate times the share of the budget
// left, so that it reaches zero when the first of --time-limit, --max-steps and --epochs does.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>

namespace tfm::train {

enum class LrDecay { inverse_sqrt, linear, inverse_sqrt_to_zero };

struct LearningRateSchedule {
  double peak_lr;
  int64_t warmup_steps;
  LrDecay decay = LrDecay::inverse_sqrt;
  int64_t total_steps = 0;  // linear: the step at which the rate reaches zero

  static LearningRateSchedule paper(int d_model, int64_t warmup_steps, double factor = 1.0) {
    return {factor / std::sqrt(double(d_model) * double(warmup_steps)), warmup_steps};
  }

  // step counts from 1; budget_used (0 to 1) is the share of the run's budget spent, for
  // inverse_sqrt_to_zero.
  double operator()(int64_t step, double budget_used = 0) const {
    const double s = double(std::max<int64_t>(step, 1)), w = double(std::max<int64_t>(warmup_steps, 1));
    if (decay == LrDecay::inverse_sqrt_to_zero)
      return peak_lr * std::min(s / w, std::sqrt(w / s)) * std::clamp(1.0 - budget_used, 0.0, 1.0);
    if (s < w) return peak_lr * s / w;
    if (decay == LrDecay::inverse_sqrt) return peak_lr * std::sqrt(w / s);
    assert(total_steps > warmup_steps);
    return peak_lr * std::max(0.0, double(total_steps) - s) / (double(total_steps) - w);
  }
};

}  // namespace tfm::train
