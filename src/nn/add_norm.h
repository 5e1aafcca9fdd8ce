#pragma once
// The residual connection and layer normalisation around every sub-layer (paper §3.1),
// in either placement:
//   post-norm (the paper):  y = LayerNorm(x + Dropout(Sublayer(x)))
//   pre-norm  (norm_first): y = x + Dropout(Sublayer(LayerNorm(x)))
// A layer calls sublayer_input(x), runs its sub-layer on that, then output(x, s); backward
// goes through output_backward and sublayer_input_backward in reverse.
#include <string>

#include "nn/layer_norm.h"
#include "nn/step_context.h"

namespace tfm::nn {

class AddNorm {
 public:
  AddNorm(ParameterSet& params, const std::string& norm_name, const std::string& dropout_name, int d_model,
          float eps, float dropout, bool norm_first);

  // What the sub-layer sees: x (post-norm) or LayerNorm(x) (pre-norm).
  Tensor sublayer_input(StepContext& ctx, const Tensor& x);
  // The block's output from its input x and the sub-layer's output s.
  Tensor output(StepContext& ctx, const Tensor& x, const Tensor& s);

  struct Gradients {
    Tensor dx;  // through the residual path; sublayer_input_backward adds the rest
    Tensor ds;  // into the sub-layer's output
  };
  // Consumes dy: the returned tensors may share its memory.
  Gradients output_backward(StepContext& ctx, const Tensor& dy);
  // dx += d(sub-layer input) / dx applied to dsublayer_input.
  void sublayer_input_backward(StepContext& ctx, const Tensor& dsublayer_input, Tensor& dx);

 private:
  LayerNorm norm_;
  float dropout_;
  uint32_t site_;
  bool norm_first_;
  // Saved by a post-norm forward: the residual sum that was normalised and its statistics.
  Tensor residual_, mean_, rstd_;
};

}  // namespace tfm::nn
