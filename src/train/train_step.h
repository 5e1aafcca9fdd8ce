#pragma once
// One optimizer step: forward, label-smoothed loss and backward over one or more batches
// (gradient accumulation), gradient clipping, Adam. The trainer and the benchmark both run
// exactly this.
#include <span>

#include "nn/transformer.h"
#include "train/adam.h"

namespace tfm::train {

struct StepOptions {
  float label_smoothing = 0.1f;
  double clip_norm = 0.0;  // <= 0: no clipping
  uint64_t seed = 1;       // dropout streams
};

struct StepResult {
  kernels::CrossEntropyResult loss;  // summed over the batches
  double grad_norm = 0.0;
};

// The gradient is that of the mean loss per target token over all the batches together.
StepResult train_step(nn::Transformer& model, Adam& adam, Workspace& workspace, std::span<const Batch> batches,
                      double lr, const StepOptions& options);

}  // namespace tfm::train
