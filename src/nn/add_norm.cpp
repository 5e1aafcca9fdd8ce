#include "nn/add_norm.h"

#include "kernels/layer_norm.h"

namespace tfm::nn {

AddNorm::AddNorm(ParameterSet& params, const std::string& norm_name, const std::string& dropout_name, int d_model,
                 float eps, float dropout, bool norm_first)
    : norm_(params, norm_name, d_model, eps),
      dropout_(dropout),
      site_(dropout_site(dropout_name)),
      norm_first_(norm_first) {}

Tensor AddNorm::sublayer_input(StepContext& ctx, const Tensor& x) {
  return norm_first_ ? norm_.forward(ctx, x) : x;
}

Tensor AddNorm::output(StepContext& ctx, const Tensor& x, const Tensor& s) {
  Tensor y = ctx.workspace.take(x.shape);
  const kernels::Dropout dropout = ctx.dropout(dropout_, site_);
  if (norm_first_) {
    kernels::residual_add(x.data, s.data, dropout, y.data, y.numel());
    return y;
  }
  residual_ = ctx.workspace.take(x.shape);
  mean_ = ctx.workspace.take({x.rows()});
  rstd_ = ctx.workspace.take({x.rows()});
  kernels::layer_norm_forward({x.rows(), x.cols(), norm_.eps()}, x.data, s.data, dropout, norm_.weight().value.data,
                              norm_.bias().value.data, residual_.data, y.data, mean_.data, rstd_.data);
  return y;
}

AddNorm::Gradients AddNorm::output_backward(StepContext& ctx, const Tensor& dy) {
  Tensor dresidual = dy;
  if (!norm_first_) {
    dresidual = ctx.workspace.take(dy.shape);
    kernels::layer_norm_backward({dy.rows(), dy.cols(), norm_.eps()}, dy.data, residual_.data, mean_.data,
                                 rstd_.data, norm_.weight().value.data, dresidual.data, false,
                                 norm_.weight().grad.data, norm_.bias().grad.data);
  }
  const kernels::Dropout dropout = ctx.dropout(dropout_, site_);
  if (!dropout.active()) return {dresidual, dresidual};
  Tensor ds = ctx.workspace.take(dy.shape);
  kernels::dropout(dropout, dresidual.data, ds.data, ds.numel());
  return {dresidual, ds};
}

void AddNorm::sublayer_input_backward(StepContext& ctx, const Tensor& dsublayer_input, Tensor& dx) {
  if (norm_first_)
    norm_.backward(ctx, dsublayer_input, dx, true);
  else
    kernels::add_in_place(dx.data, dsublayer_input.data, dx.numel());
}

}  // namespace tfm::nn
