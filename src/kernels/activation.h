#pragma once
// The position-wise feed-forward network's non-linearity (paper eq. 2 uses ReLU; GELU is
// the common alternative), fused with the dropout that follows it.
#include <cstdint>

#include "kernels/dropout.h"

namespace tfm::kernels {

enum class Activation { ReLU, GELU };

// h = dropout(act(u)), elementwise over n values.
void activation_forward(Activation act, const float* u, Dropout d, float* h, int64_t n);

// du = dh * dropout mask * act'(u).
void activation_backward(Activation act, const float* u, const float* dh, Dropout d, float* du,
                         int64_t n);

}  // namespace tfm::kernels
