#pragma once
// A fully connected layer with nn.Linear's layout: y = x W^T + b, W is [out, in].
#include "nn/step_context.h"
#include "tensor/tensor.h"

namespace tfm::nn {

class Linear {
 public:
  Linear() = default;
  Linear(Param weight, Param bias) : weight_(weight), bias_(bias) {}

  int64_t in_features() const { return weight_.value.shape[1]; }
  int64_t out_features() const { return weight_.value.shape[0]; }

  // x [rows, in] -> y [rows, out]
  Tensor forward(StepContext& ctx, const Tensor& x) const;
  // dW += dy^T x, db += colsum(dy); returns dx = dy W [rows, in], or adds it into *dx_accumulate.
  Tensor backward(StepContext& ctx, const Tensor& x, const Tensor& dy, Tensor* dx_accumulate = nullptr);

 private:
  Param weight_;
  Param bias_;
};

}  // namespace tfm::nn
