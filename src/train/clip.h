#pragma once
#include "tensor/parameters.h"

namespace tfm::train {

// Scales all gradients so their global L2 norm is at most max_norm (as
// torch.nn.utils.clip_grad_norm_ does: factor max_norm / (norm + 1e-6)). Returns the norm
// before clipping. max_norm <= 0 only measures.
double clip_grad_norm(ParameterSet& params, double max_norm);

}  // namespace tfm::train
