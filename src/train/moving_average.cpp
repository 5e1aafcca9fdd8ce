#include "train/moving_average.h"

#include <algorithm>
#include <cassert>

#include "kernels/profile.h"

namespace tfm::train {

MovingAverage::MovingAverage(const ParameterSet& params, double decay) : decay_(decay) {
  assert(decay > 0.0 && decay < 1.0);
  for (const auto& e : params.entries()) values_.emplace_back(e.param.value.numel(), 0.0f);
}

void MovingAverage::update(const ParameterSet& params) {
  assert(params.entries().size() == values_.size());
  const kernels::profile::Scope scope("moving average");
  ++updates_;
  const float weight = float(std::max(1.0 - decay_, 10.0 / double(updates_ + 9)));
  for (size_t p = 0; p < values_.size(); ++p) {
    const float* w = params.entries()[p].param.value.data;
    float* average = values_[p].data();
    const int64_t n = int64_t(values_[p].size());
#pragma omp parallel for schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; ++i) average[i] += weight * (w[i] - average[i]);
  }
}

void MovingAverage::swap_with(ParameterSet& params) {
  assert(params.entries().size() == values_.size());
  for (size_t p = 0; p < values_.size(); ++p)
    std::swap_ranges(values_[p].begin(), values_[p].end(), params.entries()[p].param.value.data);
}

}  // namespace tfm::train
