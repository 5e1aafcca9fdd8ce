#pragma once
// Training a model directory from parallel text files, as `tfm train` does: a joint
// SentencePiece vocabulary, token batches, the paper's recipe (Adam 0.9/0.98/1e-9, warm-up
// then a decaying learning rate, label smoothing 0.1) with the warm-up, peak and decay fitted
// to the data and the time limit, validation BLEU, resumable checkpoints, and as the model
// the best checkpoint or the mean of the last ones, whichever validates better.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tfm {

struct TrainingOptions {
  std::string source, target;                    // training text, plain or gzip, line-aligned
  std::string valid_source, valid_target;        // optional: validation text (raw references)
  // Or the sentence pairs themselves (UTF-8), used when the file names above are empty.
  std::vector<std::string> source_lines, target_lines;
  std::vector<std::string> valid_source_lines, valid_target_lines;
  std::string model_dir;                         // created, or continued with `resume`
  std::string config = "S";                      // "S", "B" or a config.json path
  int vocab_size = 0;                            // 0: the config's
  long long batch_tokens = 4096;                 // tokens per batch (sentences x longest side, padding included)
  int accum = 1;                                 // batches per optimizer step
  long long epochs = 0;                          // 0: no limit
  long long max_steps = 0;                       // 0: no limit
  double time_limit_minutes = 0;                 // 0: no limit
  unsigned long long seed = 1;
  bool resume = false;
  // 0 (or "auto") leaves these six to the recipe, which fits them to the data and the time limit.
  double lr_factor = 0;                          // scales the paper's d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)
  long long warmup_steps = 0;
  std::string lr_decay = "auto";                 // "inverse-sqrt", "linear" (to zero at max_steps) or
                                                 // "inverse-sqrt-to-zero" (to zero at the end of the budget)
  float label_smoothing = 0.1f;
  std::optional<double> dropout;                 // of the embeddings and residual connections (the model
                                                 // configuration's "dropout"); unset: the configuration's
  double clip_norm = 0.0;                        // clip gradients to this global norm; 0: no clipping
  int max_length = 200;                          // pairs with a side longer than this many pieces are skipped
  long long valid_every = 0;                     // steps between validations and checkpoints
  int patience = 0;                              // validations without a better BLEU before stopping; 0: never
  int keep_checkpoints = 0;                      // the newest ones (their mean may become the model)
  std::string matmul_precision = "auto";         // "float32" or "bfloat16" (the linear layers' products; the
                                                 // recipe's is bfloat16 where the CPU multiplies it natively)
  std::optional<double> ema_decay;               // of the moving average of the weights that validates and
                                                 // becomes the model; unset: the recipe's; 0: none
  long long log_every = 100;                     // steps between progress reports
  int valid_beam = 1;                            // beam of the validation translations (1: greedy)
  int threads = 0;                               // 0: every core
};

// What the progress callback hears: every log_every steps, and after each validation.
struct TrainingProgress {
  long long step = 0;
  long long epoch = 0;
  double elapsed_seconds = 0.0;
  double train_loss = 0.0;                      // per target token, since the last report
  double learning_rate = 0.0;
  double target_tokens_per_second = 0.0;
  std::optional<double> valid_loss, valid_bleu;  // after a validation
};

struct TrainingSummary {
  long long steps = 0;
  double best_bleu = 0.0;                        // of the final model
  long long best_step = 0;                       // of the best single checkpoint
  bool averaged = false;                         // the model is the mean of the last checkpoints
  double elapsed_seconds = 0.0;
  std::string stop_reason;
};

// Trains until a limit, patience, or `stop` turns true (checked between steps; the run then
// writes a checkpoint and returns, resumable with `resume`). Log lines go to standard error
// unless `quiet`. Throws std::runtime_error naming the file or option at fault.
TrainingSummary train_model(const TrainingOptions& options,
                            const std::function<void(const TrainingProgress&)>& on_progress = {},
                            const std::atomic<bool>* stop = nullptr, bool quiet = false);

}  // namespace tfm
