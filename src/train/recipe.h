#pragma once
// The settings of a training run that depend on the data and the budget, for those the user
// leaves open. The paper's recipe (warm-up 4,000 steps, its peak learning rate, the
// inverse-square-root decay) is for 4.5 million sentence pairs and 100,000 steps; a corpus of
// 30,000 pairs trained for 30 minutes is some 1,600 to 2,300 steps, which that warm-up alone
// would outlast. docs/training.md gives the measurements behind each rule.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kernels/matmul.h"
#include "train/schedule.h"

namespace tfm::train {

// What the run has: its data (in optimizer steps per epoch), its model, and once a
// time-limited run knows its speed, the steps its time allows.
struct RecipeInputs {
  int64_t steps_per_epoch = 0;
  int d_model = 0;
  int64_t expected_steps = 0;  // 0: no time limit, or its speed not known yet
  bool bfloat16_native = false;  // kernels::bfloat16_is_native()
};

// The user's choices; nullopt: the recipe's.
struct RecipeRequest {
  std::optional<int64_t> warmup_steps;
  std::optional<double> lr_factor;
  std::optional<LrDecay> lr_decay;
  std::optional<int64_t> valid_every;
  std::optional<int> keep_checkpoints;
  std::optional<kernels::Precision> matmul_precision;
  std::optional<double> ema_decay;  // 0: none
};

struct Recipe {
  int64_t warmup_steps = 0;
  double lr_factor = 1.0;  // scales the paper's peak, (d_model * warmup)^-0.5
  LrDecay lr_decay = LrDecay::inverse_sqrt;
  int64_t valid_every = 0;
  int keep_checkpoints = 1;
  kernels::Precision matmul_precision = kernels::Precision::float32;  // of the training step's linear layers
  double ema_decay = 0;  // of the moving average of the weights that validates (train/moving_average.h); 0: none
  // Each setting, its value and where it came from ("given", or the rule's reason), in the
  // order above: printed at the start of training and written to DIR/training.json.
  nlohmann::ordered_json explained;
};

Recipe choose_recipe(const RecipeRequest& request, const RecipeInputs& inputs);

// The flag spelling of a decay ("inverse-sqrt", "linear", "inverse-sqrt-to-zero"), and back
// (nullopt for anything else).
std::string lr_decay_name(LrDecay decay);
std::optional<LrDecay> parse_lr_decay(const std::string& name);
// The same for a precision ("float32", "bfloat16").
std::string precision_name(kernels::Precision precision);
std::optional<kernels::Precision> parse_precision(const std::string& name);

}  // namespace tfm::train
