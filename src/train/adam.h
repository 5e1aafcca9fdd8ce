#pragma once
// Adam (Kingma & Ba, 2015) with the paper's settings as defaults (§5.3: beta1 0.9,
// beta2 0.98, epsilon 1e-9), computed exactly as torch.optim.Adam does.
#include <cstdint>
#include <vector>

#include "tensor/parameters.h"

namespace tfm::train {

struct AdamOptions {
  double beta1 = 0.9;
  double beta2 = 0.98;
  double epsilon = 1e-9;
};

class Adam {
 public:
  Adam(const ParameterSet& params, AdamOptions options = {});

  // One update of every parameter from its gradient, with learning rate lr.
  void step(ParameterSet& params, double lr);

  int64_t steps_taken() const { return steps_; }
  // First and second moment estimates, one vector per parameter in ParameterSet order
  // (saved with checkpoints).
  std::vector<std::vector<float>>& first_moments() { return m_; }
  std::vector<std::vector<float>>& second_moments() { return v_; }
  const std::vector<std::vector<float>>& first_moments() const { return m_; }
  const std::vector<std::vector<float>>& second_moments() const { return v_; }
  void set_steps_taken(int64_t steps) { steps_ = steps; }

 private:
  AdamOptions options_;
  int64_t steps_ = 0;
  std::vector<std::vector<float>> m_, v_;
};

}  // namespace tfm::train
