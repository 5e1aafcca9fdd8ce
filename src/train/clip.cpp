#include "train/clip.h"

namespace tfm::train {

double clip_grad_norm(ParameterSet& params, double max_norm) {
  const double norm = params.grad_norm();
  if (max_norm > 0.0 && norm > max_norm) params.scale_grads(float(max_norm / (norm + 1e-6)));
  return norm;
}

}  // namespace tfm::train
