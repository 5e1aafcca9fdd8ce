// `tfm train`: learn a translation model from raw parallel text.
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "kernels/matmul.h"
#include "train/trainer.h"

namespace tfm::cli {

void add_train_command(CLI::App& app) {
  auto o = std::make_shared<train::TrainerOptions>();
  auto threads = std::make_shared<int>(0);
  CLI::App* cmd = app.add_subcommand(
      "train", "Train a translation model from aligned text files (one sentence per line, plain or gzip)");
  cmd->add_option("--src", o->train_src, "Training source text")->required()->check(CLI::ExistingFile);
  cmd->add_option("--tgt", o->train_tgt, "Training target text, line-aligned with --src")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--valid-src", o->valid_src, "Validation source text")->check(CLI::ExistingFile);
  cmd->add_option("--valid-tgt", o->valid_tgt, "Validation target text (raw references for BLEU)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--model", o->model_dir, "Model directory to create (or continue, with --resume)")->required();
  cmd->add_option("--config", o->config, "Model configuration: S, B or a config.json file")->capture_default_str();
  cmd->add_option("--vocab-size", o->vocab_size, "Joint SentencePiece vocabulary size (default: the config's)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--batch-tokens", o->batch_tokens, "Tokens per batch (sentences x longest side, padding included)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--accum", o->accum, "Batches accumulated per optimizer step")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--epochs", o->epochs, "Stop after this many epochs (0: no limit)")->capture_default_str();
  cmd->add_option("--max-steps", o->max_steps, "Stop after this many optimizer steps (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--time-limit", o->time_limit_minutes, "Stop after this many minutes of training (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of initialisation, data order, dropout and tokenizer sampling")
      ->capture_default_str();
  cmd->add_option("--threads", *threads, "Threads (default: all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--resume", o->resume, "Continue from the model directory's latest checkpoint");
  cmd->add_option("--lr-factor", o->lr_factor, "Scale of the learning rate d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)")
      ->capture_default_str();
  cmd->add_option("--warmup", o->warmup_steps, "Warm-up steps of the learning rate")->capture_default_str();
  cmd->add_option("--lr-decay", o->lr_decay,
                  "Decay after the warm-up: inverse-sqrt (the paper's) or linear (to zero at --max-steps)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, train::LrDecay>{{"inverse-sqrt", train::LrDecay::inverse_sqrt},
                                                {"linear", train::LrDecay::linear}},
          CLI::ignore_case))
      ->default_str("inverse-sqrt");
  cmd->add_option("--label-smoothing", o->label_smoothing, "Label smoothing")->capture_default_str();
  cmd->add_option("--clip-norm", o->clip_norm, "Clip gradients to this global norm (0: no clipping)")
      ->capture_default_str();
  cmd->add_option("--max-length", o->max_length, "Skip pairs with a side longer than this many pieces")
      ->capture_default_str();
  cmd->add_option("--valid-every", o->valid_every, "Steps between validations and checkpoints")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--patience", o->patience, "Stop after this many validations without a better BLEU (0: never)")
      ->capture_default_str();
  cmd->add_option("--keep-checkpoints", o->keep_checkpoints, "Checkpoints kept (for resuming and `tfm average`)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--log-every", o->log_every, "Steps between log lines")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--valid-beam", o->valid_beam, "Beam size of the validation translations (1: greedy)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([o, threads] {
    kernels::set_num_threads(*threads);
    train::train(*o, std::cerr);
  });
}

}  // namespace tfm::cli
