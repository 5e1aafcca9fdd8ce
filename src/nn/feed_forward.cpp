#include "nn/feed_forward.h"

namespace tfm::nn {

FeedForward::FeedForward(ParameterSet& params, const std::string& layer_name, int d_model, int d_ff,
                         kernels::Activation activation, float dropout)
    : linear1_(params.add(layer_name + ".linear1.weight", {d_ff, d_model}),
               params.add(layer_name + ".linear1.bias", {d_ff})),
      linear2_(params.add(layer_name + ".linear2.weight", {d_model, d_ff}),
               params.add(layer_name + ".linear2.bias", {d_model})),
      activation_(activation),
      dropout_(dropout),
      site_(dropout_site(layer_name + ".dropout")) {}

Tensor FeedForward::forward(StepContext& ctx, const Tensor& x) {
  x_ = x;
  pre_activation_ = linear1_.forward(ctx, x);
  hidden_ = ctx.workspace.take(pre_activation_.shape);
  kernels::activation_forward(activation_, pre_activation_.data, ctx.dropout(dropout_, site_), hidden_.data,
                              hidden_.numel());
  return linear2_.forward(ctx, hidden_);
}

Tensor FeedForward::backward(StepContext& ctx, const Tensor& dy) {
  Tensor dhidden = linear2_.backward(ctx, hidden_, dy);
  kernels::activation_backward(activation_, pre_activation_.data, dhidden.data, ctx.dropout(dropout_, site_),
                               dhidden.data, dhidden.numel());
  return linear1_.backward(ctx, x_, dhidden);
}

}  // namespace tfm::nn
