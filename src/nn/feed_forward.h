#pragma once
// Position-wise feed-forward network (paper eq. 2): FFN(x) = max(0, x W1 + b1) W2 + b2,
// with dropout after the activation as torch.nn.TransformerEncoderLayer applies it.
// Parameters named linear1 and linear2 as in PyTorch's layers.
#include <string>

#include "kernels/activation.h"
#include "nn/linear.h"
#include "nn/step_context.h"
#include "tensor/parameters.h"

namespace tfm::nn {

class FeedForward {
 public:
  FeedForward(ParameterSet& params, const std::string& layer_name, int d_model, int d_ff,
              kernels::Activation activation, float dropout);

  // x [rows, d_model] -> [rows, d_model]
  Tensor forward(StepContext& ctx, const Tensor& x);
  // Returns dx.
  Tensor backward(StepContext& ctx, const Tensor& dy);

 private:
  Linear linear1_;
  Linear linear2_;
  kernels::Activation activation_;
  float dropout_;
  uint32_t site_;
  // Saved by forward for backward.
  Tensor x_;
  Tensor pre_activation_;  // x W1^T + b1
  Tensor hidden_;          // dropout(activation(pre_activation_))
};

}  // namespace tfm::nn
