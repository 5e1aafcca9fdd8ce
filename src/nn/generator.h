#pragma once
// The output layer (paper §3.4): a linear map from d_model to the vocabulary, whose softmax
// gives next-token probabilities. With tied embeddings its weight is the embedding table.
#include "nn/linear.h"

namespace tfm::nn {

class Generator {
 public:
  Generator(Param weight, Param bias) : projection_(weight, bias) {}

  // x [rows, d_model] -> logits [rows, vocab]
  Tensor forward(StepContext& ctx, const Tensor& x) {
    x_ = x;
    return projection_.forward(ctx, x);
  }
  // dlogits -> dx; adds the weight and bias gradients.
  Tensor backward(StepContext& ctx, const Tensor& dlogits) { return projection_.backward(ctx, x_, dlogits); }

 private:
  Linear projection_;
  Tensor x_;
};

}  // namespace tfm::nn
