#pragma once
// One optimizer step: forward, label-smoothed loss and backward over one or more batches
// (gradient accumulation), gradient clipping, Adam. The trainer and the benchmark both run
// exactly this, in one process or as one rank of a data-parallel run.
#include <span>

#include "nn/transformer.h"
#include "train/adam.h"
#include "train/communicator.h"

namespace tfm::train {

struct StepOptions {
  float label_smoothing = 0.1f;
  double clip_norm = 0.0;  // <= 0: no clipping
  uint64_t seed = 1;       // dropout streams
  kernels::Precision matmul_precision = kernels::Precision::float32;  // of the linear layers' products
};

struct StepResult {
  kernels::CrossEntropyResult loss;  // summed over the batches (every rank's share)
  double grad_norm = 0.0;
};

// The gradient is that of the mean loss per target token over all the batches together.
// With several ranks, `batches` are still the step's whole batches, the same on every rank:
// each rank runs its share of each one (take_share), and the gradients are summed over the
// ranks, overlapped with the last backward pass, before clipping and the Adam step.
StepResult train_step(nn::Transformer& model, Adam& adam, Workspace& workspace, std::span<const Batch> batches,
                      double lr, const StepOptions& options, Communicator& communicator = single_process());

}  // namespace tfm::train
