#include "nn/layer_norm.h"

#include <algorithm>

#include "kernels/layer_norm.h"

namespace tfm::nn {

LayerNorm::LayerNorm(ParameterSet& params, const std::string& name, int d_model, float eps)
    : weight_(params.add(name + ".weight", {d_model})), bias_(params.add(name + ".bias", {d_model})), eps_(eps) {
  std::fill_n(weight_.value.data, d_model, 1.0f);
}

Tensor LayerNorm::forward(StepContext& ctx, const Tensor& x) {
  x_ = x;
  mean_ = ctx.workspace.take({x.rows()});
  rstd_ = ctx.workspace.take({x.rows()});
  Tensor y = ctx.workspace.take(x.shape);
  kernels::layer_norm_forward({x.rows(), x.cols(), eps_}, x.data, nullptr, {}, weight_.value.data, bias_.value.data,
                              nullptr, y.data, mean_.data, rstd_.data);
  return y;
}

void LayerNorm::backward(StepContext&, const Tensor& dy, Tensor& dx, bool accumulate) {
  kernels::layer_norm_backward({x_.rows(), x_.cols(), eps_}, dy.data, x_.data, mean_.data, rstd_.data,
                               weight_.value.data, dx.data, accumulate, weight_.grad.data, bias_.grad.data);
}

}  // namespace tfm::nn
