// tfm::train: the public face of train::train, the code `tfm train` runs.
#include "tfm/training.h"

#include "api/trainer_options.h"

#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <streambuf>

#include "io/corpus.h"
#include "kernels/matmul.h"
#include "text/utf8.h"
#include "train/recipe.h"
#include "train/trainer.h"

namespace tfm {

namespace {

// Where a quiet run's log lines go.
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
};

// Pairs from memory, checked as the files would be: same counts, valid UTF-8.
io::ParallelCorpus pairs(const std::vector<std::string>& sources, const std::vector<std::string>& targets,
                         const std::string& what) {
  if (sources.size() != targets.size())
    throw std::invalid_argument(what + ": " + std::to_string(sources.size()) + " source lines but " +
                                std::to_string(targets.size()) + " target lines");
  for (const auto& [lines, side] : {std::pair{&sources, "source"}, std::pair{&targets, "target"}})
    for (size_t i = 0; i < lines->size(); ++i)
      if (const auto invalid = text::find_invalid_utf8((*lines)[i]))
        throw std::invalid_argument(what + " " + side + " line " + std::to_string(i + 1) + ": invalid UTF-8 at byte " +
                                    std::to_string(invalid->byte_offset + 1));
  return {sources, targets};
}

}  // namespace

train::TrainerOptions api::trainer_options(const TrainingOptions& options) {
  if (options.threads < 0) throw std::invalid_argument("threads may not be negative");
  if (options.accum < 1) throw std::invalid_argument("accum must be at least 1, got " + std::to_string(options.accum));
  const std::optional<train::LrDecay> decay = train::parse_lr_decay(options.lr_decay);
  if (!decay && options.lr_decay != "auto")
    throw std::invalid_argument("lr_decay must be \"auto\", \"inverse-sqrt\", \"linear\" or \"inverse-sqrt-to-zero\", got \"" +
                                options.lr_decay + "\"");
  const std::optional<kernels::Precision> precision = train::parse_precision(options.matmul_precision);
  if (!precision && options.matmul_precision != "auto")
    throw std::invalid_argument("matmul_precision must be \"auto\", \"float32\" or \"bfloat16\", got \"" +
                                options.matmul_precision + "\"");
  for (const auto& [name, value] : {std::pair{"lr_factor", options.lr_factor},
                                    std::pair{"warmup_steps", double(options.warmup_steps)},
                                    std::pair{"valid_every", double(options.valid_every)},
                                    std::pair{"keep_checkpoints", double(options.keep_checkpoints)}})
    if (value < 0) throw std::invalid_argument(std::string(name) + " may not be negative (0: the recipe's)");
  for (const auto& [name, value] : {std::pair{"dropout", options.dropout}, std::pair{"ema_decay", options.ema_decay}})
    if (value && !(*value >= 0 && *value < 1)) {
      std::ostringstream given;
      given << *value;
      throw std::invalid_argument(std::string(name) + " must be in [0, 1), got " + given.str());
    }
  // 0 leaves a setting to the recipe (train/recipe.h).
  auto given = [](auto value) { return value > 0 ? std::optional(value) : std::nullopt; };
  train::TrainerOptions o;
  o.train_src = options.source;
  o.train_tgt = options.target;
  o.valid_src = options.valid_source;
  o.valid_tgt = options.valid_target;
  o.model_dir = options.model_dir;
  o.config = options.config;
  o.vocab_size = options.vocab_size;
  o.batch_tokens = options.batch_tokens;
  o.accum = options.accum;
  o.epochs = options.epochs;
  o.max_steps = options.max_steps;
  o.time_limit_minutes = options.time_limit_minutes;
  o.seed = options.seed;
  o.resume = options.resume;
  o.lr_factor = given(options.lr_factor);
  o.warmup_steps = given(int64_t(options.warmup_steps));
  o.lr_decay = decay;
  o.label_smoothing = options.label_smoothing;
  o.dropout = options.dropout;
  o.clip_norm = options.clip_norm;
  o.max_length = options.max_length;
  o.valid_every = given(int64_t(options.valid_every));
  o.patience = options.patience;
  o.keep_checkpoints = given(options.keep_checkpoints);
  o.matmul_precision = precision;
  o.ema_decay = options.ema_decay;
  o.log_every = options.log_every;
  o.valid_beam = options.valid_beam;
  return o;
}

TrainingSummary train_model(const TrainingOptions& options, const std::function<void(const TrainingProgress&)>& on_progress,
                            const std::atomic<bool>* stop, bool quiet) {
  const bool from_memory = options.source.empty() && options.target.empty();
  if ((from_memory && options.source_lines.empty()) || options.model_dir.empty())
    throw std::invalid_argument("training needs source and target files (or lines) and model_dir");
  std::optional<io::ParallelCorpus> train_pairs, valid_pairs;
  if (from_memory) train_pairs = pairs(options.source_lines, options.target_lines, "training");
  if (options.valid_source.empty() && options.valid_target.empty() && !options.valid_source_lines.empty())
    valid_pairs = pairs(options.valid_source_lines, options.valid_target_lines, "validation");
  train::TrainerOptions o = api::trainer_options(options);
  o.stop = stop;
  if (train_pairs) o.train_pairs = &*train_pairs;
  if (valid_pairs) o.valid_pairs = &*valid_pairs;
  if (on_progress)
    o.on_progress = [&on_progress](const train::TrainProgress& p) {
      on_progress({p.step, p.epoch, p.elapsed_seconds, p.train_loss, p.learning_rate, p.tgt_tok_per_s, p.valid_loss,
                   p.valid_bleu});
    };
  kernels::set_num_threads(options.threads);
  NullBuffer discard;
  std::ostream silent(&discard);
  const train::TrainSummary s = train::train(o, quiet ? silent : std::cerr);
  return {s.steps, s.best_bleu, s.best_step, s.averaged, s.elapsed_seconds, s.stop_reason};
}

}  // namespace tfm
