#pragma once
// `tfm train`: from two aligned text files to a translation model in a model directory,
// with the paper's recipe (§5): Adam 0.9/0.98/1e-9, warm-up then a decaying learning rate,
// label smoothing 0.1, dropout 0.1, the average of the last checkpoints as the final model
// (§6.1); the warm-up, peak and decay fitted to the data and the budget, and a moving average
// of the weights as the model that validates (train/recipe.h, train/moving_average.h).
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "io/corpus.h"
#include "kernels/matmul.h"
#include "train/communicator.h"
#include "train/schedule.h"

namespace tfm::train {

// Reported every log_every steps and after each validation.
struct TrainProgress {
  int64_t step = 0;
  int64_t epoch = 0;
  double elapsed_seconds = 0.0;
  double train_loss = 0.0;  // per target token since the last report
  double learning_rate = 0.0;
  double tgt_tok_per_s = 0.0;
  std::optional<double> valid_loss, valid_bleu;
};

struct TrainerOptions {
  std::filesystem::path train_src, train_tgt;
  std::filesystem::path valid_src, valid_tgt;  // optional
  // Sentence pairs already in memory (valid UTF-8), used instead of the files when given.
  const io::ParallelCorpus* train_pairs = nullptr;
  const io::ParallelCorpus* valid_pairs = nullptr;
  std::filesystem::path model_dir;
  std::string config = "S";   // preset name or config.json path (ignored with --resume)
  int vocab_size = 0;         // 0: the config's
  int64_t batch_tokens = 4096;
  int accum = 1;              // batches per optimizer step
  int64_t epochs = 0;         // 0: no limit
  int64_t max_steps = 0;      // 0: no limit
  double time_limit_minutes = 0;  // 0: no limit
  uint64_t seed = 1;
  bool resume = false;
  // Left open (nullopt), these seven are chosen from the data and the budget (train/recipe.h).
  std::optional<double> lr_factor;      // scales the paper's peak, (d_model * warmup)^-0.5
  std::optional<int64_t> warmup_steps;
  std::optional<LrDecay> lr_decay;      // linear: to zero at max_steps
  std::optional<int64_t> valid_every;   // steps between validations and checkpoints
  std::optional<int> keep_checkpoints;  // the newest ones; at the end the mean of them is kept if it validates better
  std::optional<kernels::Precision> matmul_precision;  // of the linear layers (kernels/matmul.h)
  std::optional<double> ema_decay;  // of the moving average of the weights that validates (0: none)
  float label_smoothing = 0.1f;
  // Replaces the configuration's "dropout" (embeddings and residual connections; attention and
  // activation dropout stay), resumed runs' too; written to config.json.
  std::optional<double> dropout;
  double clip_norm = 0.0;
  int max_length = 200;       // pairs with a longer side (in pieces) are skipped
  int patience = 0;           // stop after this many validations without a better BLEU; 0: never
  int64_t log_every = 100;
  int valid_beam = 1;         // greedy
  int64_t check_weights_every = 100;  // several ranks: steps between checks that all hold the same weights (0: never)
  std::function<void(const TrainProgress&)> on_progress;  // optional
  const std::atomic<bool>* stop = nullptr;  // optional, one process only: when it turns true, checkpoint and return
};

struct TrainSummary {
  int64_t steps = 0;
  double best_bleu = 0.0;  // of the final model
  int64_t best_step = 0;   // of the best single checkpoint
  bool averaged = false;   // the final model is the mean of the last checkpoints
  double elapsed_seconds = 0.0;
  std::string stop_reason;
};

// Progress goes to `log` (a live line when it is a terminal). With several ranks every rank
// calls this with the same options: each trains on its share of every batch, and rank 0
// alone writes the model directory, validates and logs.
TrainSummary train(const TrainerOptions& options, std::ostream& log, Communicator& communicator = single_process());

}  // namespace tfm::train
