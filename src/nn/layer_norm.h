#pragma once
// LayerNorm's parameters (nn.LayerNorm names: weight, bias) and the plain forward/backward,
// for the final norms of pre-norm stacks. Inside layers, AddNorm uses the fused kernel.
#include <string>

#include "nn/step_context.h"
#include "tensor/parameters.h"

namespace tfm::nn {

class LayerNorm {
 public:
  LayerNorm(ParameterSet& params, const std::string& name, int d_model, float eps);

  Tensor forward(StepContext& ctx, const Tensor& x);
  // Writes d x into dx, or adds it when accumulate.
  void backward(StepContext& ctx, const Tensor& dy, Tensor& dx, bool accumulate);

  // For AddNorm's fused residual + norm.
  const Param& weight() const { return weight_; }
  const Param& bias() const { return bias_; }
  float eps() const { return eps_; }

 private:
  Param weight_;
  Param bias_;
  float eps_;
  // Saved by forward for backward.
  Tensor x_, mean_, rstd_;
};

}  // namespace tfm::nn
