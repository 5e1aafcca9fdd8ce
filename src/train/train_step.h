#pragma once
// One optimizer step on one batch: forward, label-smoothed loss, backward, gradient
// clipping, Adam. The trainer and the benchmark both run exactly this.
#include "nn/transformer.h"
#include "train/adam.h"

namespace tfm::train {

struct StepOptions {
  float label_smoothing = 0.1f;
  double clip_norm = 0.0;  // <= 0: no clipping
  uint64_t seed = 1;       // dropout streams
};

struct StepResult {
  kernels::CrossEntropyResult loss;
  double grad_norm = 0.0;
};

StepResult train_step(nn::Transformer& model, Adam& adam, Workspace& workspace, const Batch& batch, double lr,
                      const StepOptions& options);

}  // namespace tfm::train
