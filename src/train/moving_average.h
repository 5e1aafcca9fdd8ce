#pragma once
// An exponential moving average of the weights (Polyak & Juditsky 1992; Marian's
// "exponential smoothing", fairseq's EMA): after every optimizer step u = 1, 2, ...
//   average <- average + w_u * (weights - average),  w_u = max(1 - decay, 10 / (u + 9)),
// so the first update takes the weights whole, the average then spans about the last tenth of
// the steps so far (a short run soon forgets its first, untrained weights; TensorFlow's
// ExponentialMovingAverage with num_updates ramps its decay the same way), and from
// about u = 10 / (1 - decay) on the last 1 / (1 - decay) steps weigh most. It smooths out the noise
// of the last steps as averaging checkpoints does, but over every step.
#include <cstdint>
#include <vector>

#include "tensor/parameters.h"

namespace tfm::train {

class MovingAverage {
 public:
  // decay in (0, 1); the average starts empty.
  MovingAverage(const ParameterSet& params, double decay);

  void update(const ParameterSet& params);
  // Exchanges the average with the weights, so that the model computes with the average; a
  // second call puts the weights back.
  void swap_with(ParameterSet& params);

  int64_t updates() const { return updates_; }
  // One vector per parameter in ParameterSet order (saved with checkpoints).
  std::vector<std::vector<float>>& values() { return values_; }
  const std::vector<std::vector<float>>& values() const { return values_; }
  void set_updates(int64_t updates) { updates_ = updates; }

 private:
  double decay_;
  int64_t updates_ = 0;
  std::vector<std::vector<float>> values_;
};

}  // namespace tfm::train
