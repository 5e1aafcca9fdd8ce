#include "train/trainer.h"

#include <array>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "decode/translator.h"
#include "io/atomic_file.h"
#include "io/corpus.h"
#include "io/directory_lock.h"
#include "io/format_error.h"
#include "io/model_config.h"
#include "io/model_weights.h"
#include "io/progress_line.h"
#include "kernels/cross_entropy.h"
#include "text/bleu.h"
#include "text/tokenizer.h"
#include "train/batcher.h"
#include "train/checkpoint.h"
#include "train/checkpoint_average.h"
#include "train/moving_average.h"
#include "train/recipe.h"
#include "train/schedule.h"
#include "train/train_step.h"

namespace tfm::train {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::vector<int32_t>> encode_all(const text::Tokenizer& tokenizer, const std::vector<std::string>& lines) {
  std::vector<std::vector<int32_t>> out(lines.size());
#pragma omp parallel for schedule(dynamic, 256)
  for (int64_t i = 0; i < int64_t(lines.size()); ++i) {
    const std::vector<int> ids = tokenizer.encode(lines[i]);
    out[i].assign(ids.begin(), ids.end());
  }
  return out;
}

// Keeps the metrics of steps up to `step` (a resumed run rewrites what followed), less the
// records of the means of checkpoints that ended an earlier part of the run (the resumed run
// ends with its own). A last line without its newline is a write that a kill or a full disk
// cut short: it goes too.
void truncate_metrics(const fs::path& path, int64_t step) {
  std::ifstream in(path);
  if (!in) return;
  std::string kept, line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (in.eof()) break;
    try {
      if (line.empty()) continue;
      const nlohmann::json record = nlohmann::json::parse(line);
      if (record.value("type", "") != "average" && record.value("step", int64_t(0)) <= step) kept += line + "\n";
    } catch (const nlohmann::json::exception& e) {
      throw io::FormatError(path.string() + ":" + std::to_string(number) + ": " + e.what());
    }
  }
  io::write_file_atomically(path, kept);
}

// Appends one JSON line; the stream fails where the disk is full, and the run must not go on
// without its record.
void append_metrics(std::ofstream& out, const fs::path& path, const nlohmann::json& record) {
  out << record.dump() << std::endl;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

struct ValidationData {
  io::ParallelCorpus text;
  std::unique_ptr<Batcher> batches;
};

struct ValidationResult {
  double loss = 0.0;  // mean negative log-likelihood per target token (no smoothing)
  double bleu = 0.0;
};

ValidationResult validate(nn::Transformer& model, const text::Tokenizer& tokenizer, ValidationData& data,
                          int beam, Workspace& workspace) {
  ValidationResult r;
  double nll = 0.0;
  int64_t tokens = 0;
  data.batches->set_position({0, 0});
  const int64_t n = data.batches->batches_in_epoch();
  for (int64_t i = 0; i < n; ++i) {
    const Batch b = data.batches->next();
    workspace.reset();
    nn::StepContext ctx = nn::StepContext::inference(workspace);
    Tensor logits = model.forward(ctx, b);
    const auto ce = kernels::cross_entropy(logits.data, b.tgt_out_ids.data(), logits.rows(), logits.cols(),
                                           model.config().pad_id, 0.0f, 0.0f);
    nll += ce.nll_sum;
    tokens += ce.tokens;
  }
  r.loss = nll / double(std::max<int64_t>(tokens, 1));
  decode::TranslateOptions options;
  options.search.beam_size = beam;
  const auto translations = decode::Translator(model, tokenizer).translate(data.text.source, options);
  std::vector<std::string> hyps;
  for (const auto& t : translations) hyps.push_back(t.front().text);
  r.bleu = text::corpus_bleu(hyps, data.text.target, {}).score;
  return r;
}

// Rank 0 has written what the others are about to read (or decided what they agree on).
void wait_for_first_rank(Communicator& communicator) {
  std::array<double, 1> nothing{};
  communicator.broadcast_from_first(nothing);
}

// The time figures of a log line: communication per step since the last line.
std::string communication_summary(const CommunicationStatistics& c) {
  if (c.steps == 0) return "";
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << ", all-reduce " << 1e3 * c.seconds_in_backward / double(c.steps)
    << " ms in backward + " << 1e3 * c.seconds_waiting / double(c.steps) << " ms waited per step";
  return s.str();
}

}  // namespace

TrainSummary train(const TrainerOptions& o, std::ostream& log, Communicator& communicator) {
  const bool writer = communicator.rank() == 0;
  io::ProgressLine progress(log, writer);
  const fs::path& dir = o.model_dir;
  // Everything that can be checked is checked before anything is written.
  if (o.lr_decay == LrDecay::linear && o.max_steps <= o.warmup_steps.value_or(0))
    throw std::runtime_error("--lr-decay linear decays to zero at --max-steps, which must be more than --warmup (" +
                             std::to_string(o.warmup_steps.value_or(0)) + "); got --max-steps " +
                             std::to_string(o.max_steps));
  if (o.matmul_precision == kernels::Precision::bfloat16) kernels::require_native_bfloat16("--matmul-precision");
  const io::ParallelCorpus corpus =
      o.train_pairs ? *o.train_pairs : io::read_parallel_corpus(o.train_src.string(), o.train_tgt.string());
  ValidationData valid;
  const bool has_valid = o.valid_pairs || !o.valid_src.empty();
  if (!o.valid_pairs && o.valid_src.empty() != o.valid_tgt.empty())
    throw std::runtime_error("--valid-src and --valid-tgt go together");
  if (has_valid)
    valid.text = o.valid_pairs ? *o.valid_pairs : io::read_parallel_corpus(o.valid_src.string(), o.valid_tgt.string());

  std::optional<fs::path> checkpoint;
  io::ModelConfig config;
  // One run per directory: a second one would interleave its checkpoints with ours.
  std::optional<io::DirectoryLock> lock;
  if (o.resume) {
    if (!fs::is_directory(dir)) throw std::runtime_error("--resume: " + dir.string() + " is not a directory");
    if (writer) lock.emplace(dir);  // rank 0 alone writes, so it alone holds the directory
    checkpoint = latest_checkpoint(dir);
    if (!checkpoint) throw std::runtime_error("--resume: " + dir.string() + " has no checkpoint to resume from");
    config = io::ModelConfig::load(dir / "config.json");
  } else {
    config = io::load_config_arg(o.config);
    if (o.vocab_size > 0) config.vocab_size = o.vocab_size;
    config.validate(o.config);
    if (writer) {
      fs::create_directories(dir);
      lock.emplace(dir);
    }
    if (fs::exists(dir / "model.safetensors") || fs::exists(dir / "checkpoints"))
      throw std::runtime_error(dir.string() + " already holds a model; pass --resume to continue it, or choose "
                               "another --model directory");
  }
  if (writer) remove_unfinished_writes(dir);

  // Tokenizer: trained on the training data unless the directory already has one.
  const fs::path spm_path = dir / "spm.model";
  if (writer && !fs::exists(spm_path)) {
    progress.message("training a joint SentencePiece model of " + std::to_string(config.vocab_size) + " pieces");
    text::TokenizerTrainingOptions spm_options;
    spm_options.seed = o.seed;
    text::Tokenizer::train_joint(corpus.source, corpus.target, spm_path.string(), config.vocab_size, spm_options);
  }
  wait_for_first_rank(communicator);
  const text::Tokenizer tokenizer = text::Tokenizer::load(spm_path.string());
  config.vocab_size = tokenizer.vocab_size();
  config.pad_id = tokenizer.pad_id();
  config.unk_id = tokenizer.unk_id();
  config.bos_id = tokenizer.bos_id();
  config.eos_id = tokenizer.eos_id();
  if (o.dropout) config.dropout = *o.dropout;
  if (writer && (!o.resume || o.dropout)) config.save(dir / "config.json");

  BatcherOptions batch_options;
  batch_options.max_tokens = o.batch_tokens;
  batch_options.max_length = std::min(o.max_length, config.max_positions - 1);
  batch_options.seed = o.seed;
  batch_options.pad_id = config.pad_id;
  batch_options.bos_id = config.bos_id;
  batch_options.eos_id = config.eos_id;
  Batcher batcher(encode_all(tokenizer, corpus.source), encode_all(tokenizer, corpus.target), batch_options);
  const auto& counts = batcher.pair_counts();
  progress.message("training pairs: " + std::to_string(counts.kept) + " kept, " + std::to_string(counts.skipped_empty) +
                   " skipped as empty, " + std::to_string(counts.skipped_too_long) + " skipped as longer than " +
                   std::to_string(batch_options.max_length) + " pieces");
  if (has_valid) {
    BatcherOptions valid_options = batch_options;
    valid_options.max_length = config.max_positions - 1;
    valid.batches = std::make_unique<Batcher>(encode_all(tokenizer, valid.text.source),
                                              encode_all(tokenizer, valid.text.target), valid_options);
  }

  const RecipeRequest recipe_request{o.warmup_steps,     o.lr_factor,        o.lr_decay, o.valid_every,
                                     o.keep_checkpoints, o.matmul_precision, o.ema_decay};
  RecipeInputs recipe_inputs{std::max<int64_t>(1, batcher.batches_in_epoch() / std::max(1, o.accum)), config.d_model, 0,
                             kernels::bfloat16_is_native()};
  Recipe recipe = choose_recipe(recipe_request, recipe_inputs);
  // Dropout is not fitted to the data: on Multi30k 0.3 validated lower than the
  // configuration's 0.1 for 2,400 steps, longer than a 30-minute run, and ended a full run
  // no higher (docs/training.md, "Dropout").
  const nlohmann::ordered_json dropout = {{"value", config.dropout},
                                          {"why", o.dropout ? "given" : "the model configuration's"}};
  auto announce = [&](const std::vector<std::string>& names) {
    for (const std::string& name : names) {
      const auto& choice = name == "dropout" ? dropout : recipe.explained[name];
      progress.message("recipe: " + name + " " + choice["value"].dump() + ": " + choice["why"].get<std::string>());
    }
    if (!writer) return;
    nlohmann::ordered_json settings = recipe.explained;
    // As written (0.1), not as the float holds it (0.10000000149).
    settings["label_smoothing"] = {{"value", std::stod(std::to_string(o.label_smoothing))}, {"why", "--label-smoothing"}};
    settings["dropout"] = dropout;
    io::write_file_atomically(dir / "training.json", settings.dump(2) + "\n");
  };
  announce({"warmup_steps", "lr_factor", "lr_decay", "valid_every", "keep_checkpoints", "matmul_precision", "ema_decay",
            "dropout"});

  nn::Transformer model(config);
  model.initialize(o.seed);
  Adam adam(model.parameters());
  std::optional<MovingAverage> average;
  if (recipe.ema_decay > 0) average.emplace(model.parameters(), recipe.ema_decay);
  TrainingState state;
  const fs::path metrics_path = dir / "metrics.jsonl";
  // A checkpoint holds the position in the stream of whole batches, which every rank reads:
  // a run may resume with another number of ranks.
  if (checkpoint) {
    state = load_checkpoint(*checkpoint, model, adam, average ? &*average : nullptr);
    batcher.set_position(state.position);
    if (writer) truncate_metrics(metrics_path, state.step);
    progress.message("resumed from " + checkpoint->string() + " at step " + std::to_string(state.step));
    if (average && average->updates() == 0)
      progress.message("the checkpoint holds no moving average of the weights: it starts at step " +
                       std::to_string(state.step));
  } else if (writer) {
    io::write_file_atomically(metrics_path, "");
  }
  std::ofstream metrics;
  if (writer) metrics.open(metrics_path, std::ios::app);
  if (communicator.ranks() > 1)
    progress.message("data-parallel training on " + std::to_string(communicator.ranks()) +
                     " ranks, each on its share of every batch");

  LearningRateSchedule schedule = LearningRateSchedule::paper(config.d_model, recipe.warmup_steps, recipe.lr_factor);
  schedule.decay = recipe.lr_decay;
  schedule.total_steps = o.max_steps;
  const StepOptions step_options{o.label_smoothing, o.clip_norm, o.seed, recipe.matmul_precision};
  Workspace workspace;
  const auto run_start = Clock::now();
  const double elapsed_before = state.elapsed_seconds;
  auto elapsed = [&] { return elapsed_before + std::chrono::duration<double>(Clock::now() - run_start).count(); };

  auto validate_and_write = [&] {
    state.position = batcher.position();
    state.elapsed_seconds = elapsed();
    // What validates and may become DIR/model.safetensors: the moving average when the run
    // keeps one; the checkpoint keeps the weights that training goes on from.
    io::Metadata model_metadata{{"checkpoint", checkpoint_name(state.step)}};
    if (average) {
      average->swap_with(model.parameters());
      model_metadata["ema_decay"] = recipe.explained["ema_decay"]["value"].dump();  // 0.995, as written
    }
    if (has_valid) {
      const ValidationResult v = validate(model, tokenizer, valid, o.valid_beam, workspace);
      const bool better = state.best_step == 0 || v.bleu > state.best_score ||
                          (v.bleu == state.best_score && v.loss < state.best_loss);
      if (better) {
        state.best_score = v.bleu;
        state.best_loss = v.loss;
        state.best_step = state.step;
        state.evaluations_without_improvement = 0;
        io::save_parameters(dir / "model.safetensors", model.parameters(), model_metadata);
      } else {
        ++state.evaluations_without_improvement;
      }
      append_metrics(metrics, metrics_path,
                     {{"type", "valid"}, {"step", state.step}, {"epoch", state.position.epoch},
                      {"elapsed", state.elapsed_seconds}, {"loss", v.loss}, {"ppl", std::exp(v.loss)},
                      {"bleu", v.bleu}});
      std::ostringstream line;
      line << std::fixed << std::setprecision(2) << "valid step " << state.step << " epoch " << state.position.epoch
           << ": loss " << v.loss << " ppl " << std::exp(v.loss) << " BLEU " << v.bleu
           << (better ? " (best)" : "") << " [" << io::format_duration(state.elapsed_seconds) << "]";
      progress.message(line.str());
      if (o.on_progress) {
        TrainProgress p;
        p.step = state.step;
        p.epoch = state.position.epoch;
        p.elapsed_seconds = state.elapsed_seconds;
        p.valid_loss = v.loss;
        p.valid_bleu = v.bleu;
        o.on_progress(p);
      }
    } else {
      io::save_parameters(dir / "model.safetensors", model.parameters(), model_metadata);
    }
    if (average) average->swap_with(model.parameters());
    save_checkpoint(dir, model, adam, average ? &*average : nullptr, state, recipe.keep_checkpoints);
  };
  // The paper's final model (§6.1): the mean of the last checkpoints. How many, from 2 to
  // --keep-checkpoints, is chosen on validation: a short run's earlier checkpoints lie far
  // apart and can spoil the mean. The best mean replaces the best single checkpoint as
  // DIR/model.safetensors when it validates better. Its BLEU if one does.
  auto offer_average = [&]() -> std::optional<double> {
    const int most = int(std::min(list_checkpoints(dir).size(), size_t(recipe.keep_checkpoints)));
    const fs::path candidate = average_candidate_path(dir);
    std::optional<double> best;
    int best_count = 0;
    std::vector<nlohmann::json> records;
    for (int count = 2; count <= most; ++count) {
      const std::vector<int64_t> steps = average_last_checkpoints(dir, count, candidate);
      nn::Transformer mean(config);
      io::load_parameters(candidate, mean.parameters());
      const ValidationResult v = validate(mean, tokenizer, valid, o.valid_beam, workspace);
      if (v.bleu > best.value_or(state.best_score)) {
        best = v.bleu;
        best_count = count;
        fs::rename(candidate, dir / "model.safetensors");  // the best so far, should the run be killed here
      }
      records.push_back({{"type", "average"}, {"steps", steps}, {"loss", v.loss}, {"ppl", std::exp(v.loss)},
                         {"bleu", v.bleu}});
      std::ostringstream line;
      line << std::fixed << std::setprecision(2) << "average of the last " << count << " checkpoints: loss " << v.loss
           << " BLEU " << v.bleu;
      progress.message(line.str());
    }
    fs::remove(candidate);
    for (nlohmann::json& record : records) {
      record["kept"] = record["steps"].size() == size_t(best_count);
      append_metrics(metrics, metrics_path, record);
    }
    if (most >= 2) {
      std::ostringstream line;
      line << std::fixed << std::setprecision(2) << "the model: "
           << (best ? "the average of the last " + std::to_string(best_count) + " checkpoints"
                    : (average ? "the moving average of the weights at step " : "step ") +
                          std::to_string(state.best_step) + ", better than every average")
           << " (validation BLEU " << best.value_or(state.best_score) << ")";
      progress.message(line.str());
    }
    return best;
  };
  // Rank 0 validates and writes; the others wait for its count towards --patience.
  auto checkpoint_and_validate = [&] {
    if (writer) validate_and_write();
    std::array<double, 1> evaluations_without_improvement{double(state.evaluations_without_improvement)};
    communicator.broadcast_from_first(evaluations_without_improvement);
    state.evaluations_without_improvement = int(evaluations_without_improvement[0]);
  };
  // The time spent by rank 0's clock, so that every rank stops after the same step and sets
  // the same learning rate.
  auto shared_elapsed = [&] {
    std::array<double, 1> now{elapsed()};
    communicator.broadcast_from_first(now);
    return now[0];
  };
  // The share of the budget spent: the largest of time, steps and epochs (0 without a budget).
  auto budget_used = [&](double seconds) {
    double used = o.time_limit_minutes > 0 ? seconds / (o.time_limit_minutes * 60) : 0.0;
    if (o.max_steps > 0) used = std::max(used, double(state.step) / double(o.max_steps));
    if (o.epochs > 0) {
      const BatchPosition p = batcher.position();
      used = std::max(used, (double(p.epoch) + double(p.batch) / double(batcher.batches_in_epoch())) / double(o.epochs));
    }
    return used;
  };

  TrainSummary summary;
  int64_t interval_tokens = 0;
  double interval_loss = 0.0;
  int64_t interval_loss_tokens = 0;
  auto interval_start = Clock::now(), last_shown = Clock::now();
  std::vector<Batch> batches(size_t(std::max(1, o.accum)));
  int64_t last_checkpoint_step = state.step;
  const int64_t first_step = state.step;
  // A time-limited run with the recipe's warm-up refits it once it knows its speed: that of
  // steps 10 to 30 of this process (the first ones are slower, while memory is first touched).
  constexpr int64_t kSpeedFrom = 10, kSpeedTo = 30;
  const bool refit_warmup = o.time_limit_minutes > 0 && !o.warmup_steps;
  double speed_from_seconds = 0;
  while (true) {
    if (o.max_steps > 0 && state.step >= o.max_steps) {
      summary.stop_reason = "reached --max-steps";
      break;
    }
    if (o.epochs > 0 && batcher.position().epoch >= o.epochs) {
      summary.stop_reason = "reached --epochs";
      break;
    }
    // Checked here, not only after a validation, so that a run resumed after it stopped early
    // stops again instead of training on.
    if (o.patience > 0 && state.evaluations_without_improvement >= o.patience) {
      summary.stop_reason = "no better validation BLEU in " + std::to_string(o.patience) + " evaluations";
      break;
    }
    const double spent = o.time_limit_minutes > 0 ? shared_elapsed() : 0.0;
    if (o.time_limit_minutes > 0 && spent >= o.time_limit_minutes * 60) {
      summary.stop_reason = "reached --time-limit";
      break;
    }
    if (o.stop && o.stop->load()) {
      summary.stop_reason = "stopped on request";
      break;
    }
    for (Batch& b : batches) b = batcher.next();
    const double lr = schedule(state.step + 1, budget_used(spent));
    const StepResult r = train_step(model, adam, workspace, batches, lr, step_options, communicator);
    const double loss = r.loss.loss_sum / double(std::max<int64_t>(r.loss.tokens, 1));
    if (!std::isfinite(loss) || !std::isfinite(r.grad_norm))
      throw std::runtime_error("training diverged: non-finite loss at step " + std::to_string(state.step + 1) +
                               "; " + dir.string() + " keeps the last good checkpoint (step " +
                               std::to_string(last_checkpoint_step) + "). Try a lower --lr-factor or --clip-norm");
    ++state.step;
    if (average) average->update(model.parameters());
    if (refit_warmup && state.step == first_step + kSpeedFrom) speed_from_seconds = shared_elapsed();
    if (refit_warmup && state.step == first_step + kSpeedTo) {
      const double now = shared_elapsed(), per_step = (now - speed_from_seconds) / double(kSpeedTo - kSpeedFrom);
      recipe_inputs.expected_steps = state.step + int64_t((o.time_limit_minutes * 60 - now) / per_step);
      const Recipe refit = choose_recipe(recipe_request, recipe_inputs);
      if (refit.warmup_steps != recipe.warmup_steps) {
        recipe = refit;
        schedule = LearningRateSchedule::paper(config.d_model, recipe.warmup_steps, recipe.lr_factor);
        schedule.decay = recipe.lr_decay;
        schedule.total_steps = o.max_steps;
        announce({"warmup_steps", "lr_factor"});
      }
    }
    if (communicator.ranks() > 1 && o.check_weights_every > 0 && state.step % o.check_weights_every == 0)
      communicator.check_identical(weights_fingerprint(model.parameters()),
                                   "the weights after step " + std::to_string(state.step));
    interval_tokens += r.loss.tokens;
    interval_loss += r.loss.nll_sum;
    interval_loss_tokens += r.loss.tokens;

    // Log lines (and metrics) every log_every steps, over the steps since the last one; on a
    // terminal the live line also shows the running figures about once a second.
    const bool log_now = state.step % o.log_every == 0;
    const double seconds = std::chrono::duration<double>(Clock::now() - interval_start).count();
    const bool refresh = progress.live() && Clock::now() - last_shown > std::chrono::seconds(1);
    if (log_now || refresh) {
      last_shown = Clock::now();
      const double tok_per_s = double(interval_tokens) / std::max(seconds, 1e-9);
      const double train_nll = interval_loss / double(std::max<int64_t>(interval_loss_tokens, 1));
      // Time left: the nearest of the limits, at this run's mean speed.
      const double per_step = (elapsed() - elapsed_before) / double(state.step - first_step);
      double eta = -1;
      auto nearer = [&eta](double t) { eta = eta < 0 ? t : std::min(eta, t); };
      if (o.time_limit_minutes > 0) nearer(o.time_limit_minutes * 60 - elapsed());
      if (o.max_steps > 0) nearer(double(o.max_steps - state.step) * per_step);
      if (o.epochs > 0) {
        const BatchPosition p = batcher.position();
        nearer(double((o.epochs - p.epoch) * batcher.batches_in_epoch() - p.batch) / o.accum * per_step);
      }
      std::ostringstream line;
      line << std::fixed << std::setprecision(3) << "epoch " << batcher.position().epoch << " step " << state.step
           << " loss " << train_nll << " ppl " << std::setprecision(2) << std::exp(train_nll) << " lr "
           << std::scientific << std::setprecision(2) << lr << std::fixed << std::setprecision(0) << " "
           << tok_per_s << " tok/s [" << io::format_duration(elapsed());
      if (eta >= 0) line << ", ETA " << io::format_duration(eta);
      line << "]";
      if (log_now) {
        const CommunicationStatistics c = communicator.take_statistics();
        line << communication_summary(c);
        nlohmann::json record{{"type", "train"}, {"step", state.step}, {"epoch", batcher.position().epoch},
                              {"elapsed", elapsed()}, {"loss", train_nll}, {"ppl", std::exp(train_nll)},
                              {"lr", lr}, {"tgt_tok_per_s", tok_per_s}};
        if (c.steps > 0) {
          record["ranks"] = communicator.ranks();
          record["allreduce_backward_ms"] = 1e3 * c.seconds_in_backward / double(c.steps);
          record["allreduce_wait_ms"] = 1e3 * c.seconds_waiting / double(c.steps);
        }
        if (writer) append_metrics(metrics, metrics_path, record);
      }
      progress.show(line.str(), log_now);
      if (log_now && o.on_progress) {
        TrainProgress p;
        p.step = state.step;
        p.epoch = batcher.position().epoch;
        p.elapsed_seconds = elapsed();
        p.train_loss = train_nll;
        p.learning_rate = lr;
        p.tgt_tok_per_s = tok_per_s;
        o.on_progress(p);
      }
      if (log_now) {
        interval_tokens = 0;
        interval_loss = 0.0;
        interval_loss_tokens = 0;
        interval_start = Clock::now();
      }
    }
    if (state.step % recipe.valid_every == 0) {
      checkpoint_and_validate();
      last_checkpoint_step = state.step;
    }
  }
  if (last_checkpoint_step != state.step) checkpoint_and_validate();
  progress.message("stopped at step " + std::to_string(state.step) + ": " + summary.stop_reason +
                   (has_valid ? "; best validation BLEU " + std::to_string(state.best_score) + " at step " +
                                    std::to_string(state.best_step)
                              : ""));
  std::optional<double> average_bleu;
  if (writer && has_valid) average_bleu = offer_average();
  summary.steps = state.step;
  summary.best_bleu = average_bleu.value_or(state.best_score);
  summary.best_step = state.best_step;
  summary.averaged = average_bleu.has_value();
  summary.elapsed_seconds = elapsed();
  return summary;
}

}  // namespace tfm::train
