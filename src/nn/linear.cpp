#include "nn/linear.h"

#include "kernels/bias.h"
#include "kernels/matmul.h"

namespace tfm::nn {

Tensor Linear::forward(StepContext& ctx, const Tensor& x) const {
  assert(x.cols() == in_features());
  const int64_t rows = x.rows(), in = in_features(), out = out_features();
  Tensor y = ctx.workspace.take({rows, out});
  kernels::broadcast_rows(bias_.value.data, rows, out, y.data);
  kernels::gemm(false, true, rows, out, in, 1.0f, x.data, in, weight_.value.data, in, 1.0f, y.data, out,
                ctx.products);
  return y;
}

Tensor Linear::backward(StepContext& ctx, const Tensor& x, const Tensor& dy, Tensor* dx_accumulate) {
  const int64_t rows = x.rows(), in = in_features(), out = out_features();
  assert(dy.rows() == rows && dy.cols() == out);
  kernels::gemm(true, false, out, in, rows, 1.0f, dy.data, out, x.data, in, 1.0f, weight_.grad.data, in,
                ctx.products);
  kernels::add_column_sums(dy.data, rows, out, bias_.grad.data);
  Tensor dx = dx_accumulate ? *dx_accumulate : ctx.workspace.take({rows, in});
  kernels::gemm(false, false, rows, in, out, 1.0f, dy.data, out, weight_.value.data, in,
                dx_accumulate ? 1.0f : 0.0f, dx.data, in, ctx.products);
  return dx;
}

}  // namespace tfm::nn
