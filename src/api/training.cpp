// tfm::train: the public face of train::train, the code `tfm train` runs.
#include "tfm/training.h"

#include <iostream>
#include <stdexcept>
#include <streambuf>

#include "kernels/matmul.h"
#include "train/trainer.h"

namespace tfm {

namespace {

// Where a quiet run's log lines go.
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
};

}  // namespace

TrainingSummary train_model(const TrainingOptions& options, const std::function<void(const TrainingProgress&)>& on_progress,
                            const std::atomic<bool>* stop, bool quiet) {
  if (options.source.empty() || options.target.empty() || options.model_dir.empty())
    throw std::invalid_argument("training needs source, target and model_dir");
  if (options.threads < 0) throw std::invalid_argument("threads may not be negative");
  train::TrainerOptions o;
  o.train_src = options.source;
  o.train_tgt = options.target;
  o.valid_src = options.valid_source;
  o.valid_tgt = options.valid_target;
  o.model_dir = options.model_dir;
  o.config = options.config;
  o.vocab_size = options.vocab_size;
  o.batch_tokens = options.batch_tokens;
  o.epochs = options.epochs;
  o.max_steps = options.max_steps;
  o.time_limit_minutes = options.time_limit_minutes;
  o.seed = options.seed;
  o.resume = options.resume;
  o.lr_factor = options.lr_factor;
  o.warmup_steps = options.warmup_steps;
  o.label_smoothing = options.label_smoothing;
  o.valid_every = options.valid_every;
  o.patience = options.patience;
  o.keep_checkpoints = options.keep_checkpoints;
  o.log_every = options.log_every;
  o.stop = stop;
  if (on_progress)
    o.on_progress = [&on_progress](const train::TrainProgress& p) {
      on_progress({p.step, p.epoch, p.elapsed_seconds, p.train_loss, p.learning_rate, p.tgt_tok_per_s, p.valid_loss,
                   p.valid_bleu});
    };
  kernels::set_num_threads(options.threads);
  NullBuffer discard;
  std::ostream silent(&discard);
  const train::TrainSummary s = train::train(o, quiet ? silent : std::cerr);
  return {s.steps, s.best_bleu, s.best_step, s.elapsed_seconds, s.stop_reason};
}

}  // namespace tfm
