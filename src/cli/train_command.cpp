// `tfm train`: learn a translation model from raw parallel text, in one process (through the
// library's tfm::train_model) or, started by mpirun, as one rank of a data-parallel run.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "api/trainer_options.h"
#include "cli/commands.h"
#include "kernels/matmul.h"
#include "tfm/training.h"
#include "train/trainer.h"
#if TFM_MPI
#include "distributed/mpi_communicator.h"
#endif

namespace tfm::cli {

namespace {

// The number of ranks an MPI launcher (mpirun, srun) started, from the environment it gives
// each process; 0 when none started this one.
int launched_ranks() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* value = std::getenv(name)) return std::atoi(value);
  return 0;
}

#if TFM_MPI
void train_as_rank(const train::TrainerOptions& options, int threads, const distributed::MpiOptions& mpi) {
  distributed::MpiSession session;
  distributed::MpiCommunicator communicator(session, mpi);
  // By default the ranks on one machine share its cores (and never exceed the cores mpirun
  // bound this rank to, which OpenMP's default already counts).
  const int fair_share = std::max(1, int(std::thread::hardware_concurrency()) / communicator.ranks_on_this_machine());
  kernels::set_num_threads(threads > 0 ? threads : std::min(kernels::num_threads(), fair_share));
  try {
    train::train(options, std::cerr, communicator);
  } catch (const std::exception& e) {
    // One write, so that lines of ranks failing together do not interleave.
    std::cerr << "tfm: error: rank " + std::to_string(communicator.rank()) + " of " +
                     std::to_string(communicator.ranks()) + ": " + e.what() + "\n"
              << std::flush;
    session.abort(1);  // the other ranks stop too rather than wait for this one
  }
}
#endif

}  // namespace

void add_train_command(CLI::App& app) {
  auto o = std::make_shared<tfm::TrainingOptions>();
  struct Distributed {
    double bucket_mb = 25;
    double timeout_seconds = 300;
    int64_t check_weights_every = 100;
  };
  auto distributed = std::make_shared<Distributed>();
  CLI::App* cmd = app.add_subcommand(
      "train", "Train a translation model from aligned text files (one sentence per line, plain or gzip)");
  cmd->add_option("--src", o->source, "Training source text")->required()->check(CLI::ExistingFile);
  cmd->add_option("--tgt", o->target, "Training target text, line-aligned with --src")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--valid-src", o->valid_source, "Validation source text")->check(CLI::ExistingFile);
  cmd->add_option("--valid-tgt", o->valid_target, "Validation target text (raw references for BLEU)")
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
  cmd->add_option("--threads", o->threads, "Threads (default: all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--resume", o->resume, "Continue from the model directory's latest checkpoint");
  // Left out, these six are fitted to the data and the time limit (printed at the start and
  // written to DIR/training.json).
  cmd->add_option("--lr-factor", o->lr_factor,
                  "Scale of the learning rate d_model^-0.5 * min(step^-0.5, step * warmup^-1.5) (default: the "
                  "paper's, its peak at most 1e-3)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", o->warmup_steps, "Warm-up steps of the learning rate (default: 3 epochs, at most 4000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--lr-decay", o->lr_decay,
                  "Decay after the warm-up: inverse-sqrt (the paper's), linear (to zero at --max-steps) or "
                  "inverse-sqrt-to-zero (the paper's times the share of the budget left) (default: inverse-sqrt)")
      ->check(CLI::IsMember({"inverse-sqrt", "linear", "inverse-sqrt-to-zero"}, CLI::ignore_case));
  cmd->add_option("--label-smoothing", o->label_smoothing, "Label smoothing")->capture_default_str();
  cmd->add_option("--dropout", o->dropout,
                  "Dropout of the embeddings and residual connections (default: the configuration's, 0.1 for S and "
                  "B; attention and activation dropout stay the configuration's)");
  cmd->add_option("--clip-norm", o->clip_norm, "Clip gradients to this global norm (0: no clipping)")
      ->capture_default_str();
  cmd->add_option("--max-length", o->max_length, "Skip pairs with a side longer than this many pieces")
      ->capture_default_str();
  cmd->add_option("--valid-every", o->valid_every,
                  "Steps between validations and checkpoints (default: 2 epochs, at most 1000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--patience", o->patience, "Stop after this many validations without a better BLEU (0: never)")
      ->capture_default_str();
  cmd->add_option("--keep-checkpoints", o->keep_checkpoints,
                  "Checkpoints kept; at the end their mean becomes the model if it validates better than the best "
                  "single one (default: 5, as the paper averages; 1: no averaging)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--matmul-precision", o->matmul_precision,
                  "Inputs of the linear layers' products: float32, or bfloat16 (accumulated in float32; weights, "
                  "gradients and Adam stay float32) (default: bfloat16 where the CPU multiplies it natively, "
                  "AVX512_BF16)")
      ->check(CLI::IsMember({"float32", "bfloat16"}));
  cmd->add_option("--ema-decay", o->ema_decay,
                  "Decay of a moving average of the weights, which then validates and becomes the model in their "
                  "place (0: none) (default: 0.99)");
  cmd->add_option("--log-every", o->log_every, "Steps between log lines")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--valid-beam", o->valid_beam, "Beam size of the validation translations (1: greedy)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--bucket-mb", distributed->bucket_mb,
                  "Under mpirun: megabytes of gradients per all-reduce, each started as backward finishes it")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--collective-timeout", distributed->timeout_seconds,
                  "Under mpirun: seconds to wait for the other ranks within a step before stopping, naming "
                  "those that never came (not while rank 0 validates)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--check-weights-every", distributed->check_weights_every,
                  "Under mpirun: steps between checks that every rank holds the same weights (0: never)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->callback([o, distributed] {
#if TFM_MPI
    if (launched_ranks() > 0) {
      train::TrainerOptions options = api::trainer_options(*o);
      options.check_weights_every = distributed->check_weights_every;
      return train_as_rank(options, o->threads,
                           {int64_t(distributed->bucket_mb * (1 << 20)), distributed->timeout_seconds});
    }
#else
    if (launched_ranks() > 1)
      throw std::runtime_error("started by an MPI launcher as one of " + std::to_string(launched_ranks()) +
                               " ranks, but this tfm was built without MPI, and so many separate runs would "
                               "overwrite one model directory; rebuild with libopenmpi-dev installed "
                               "(cmake -DTFM_MPI=ON)");
#endif
    tfm::train_model(*o);
  });
}

}  // namespace tfm::cli
