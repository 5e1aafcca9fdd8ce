#pragma once
// Layer normalisation (Ba et al., 2016) over the last dimension, optionally fused with the
// residual connection in front of it: the "Add & Norm" of the paper, LayerNorm(x + Sublayer(x)).
#include <cstdint>

#include "kernels/dropout.h"

namespace tfm::kernels {

struct LayerNormShape {
  int64_t rows;
  int64_t cols;
  float eps;
};

// y = LayerNorm(r) * gamma + beta with r = x + dropout(s) when s is given, else r = x.
// Writes r when `residual_out` is given (backward needs it), and each row's mean and
// 1/stddev. Rows: [rows, cols].
void layer_norm_forward(const LayerNormShape& shape, const float* x, const float* s, Dropout s_dropout,
                        const float* gamma, const float* beta, float* residual_out, float* y, float* mean,
                        float* rstd);

// Given dy, dr = d LayerNorm / dr, written to dr or added to it (accumulate); dgamma and dbeta
// are added to. `r` is the normalised input the forward saw.
void layer_norm_backward(const LayerNormShape& shape, const float* dy, const float* r, const float* mean,
                         const float* rstd, const float* gamma, float* dr, bool accumulate, float* dgamma,
                         float* dbeta);

// r = x + dropout(s): the residual connection alone (pre-norm layers).
void residual_add(const float* x, const float* s, Dropout s_dropout, float* r, int64_t n);

// dst += src, elementwise.
void add_in_place(float* dst, const float* src, int64_t n);

}  // namespace tfm::kernels
