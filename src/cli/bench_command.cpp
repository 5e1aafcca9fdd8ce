// `tfm bench`: target tokens per second and peak memory of the model on a fixed synthetic
// batch (64 sentences of 32 source and 32 target tokens, random ids), for forward alone or
// a whole training step. bench/compare.py runs the PyTorch peer beside it.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/profile_report.h"
#include "cli/commands.h"
#include "decode/beam_search.h"
#include "decode/search_batch.h"
#include "io/model_config.h"
#include "kernels/cross_entropy.h"
#include "kernels/gemm_peak.h"
#include "kernels/matmul.h"
#include "kernels/profile.h"
#include "nn/transformer.h"
#include "tensor/random.h"
#include "train/flops.h"
#include "train/recipe.h"
#include "train/schedule.h"
#include "train/train_step.h"

namespace tfm::cli {

namespace {

struct BenchOptions {
  std::string config = "S";
  std::string mode = "train";
  int threads = 2;
  int steps = 0;  // 0: a default per mode and config
  int batch = 64;
  int src_len = 32;
  int tgt_len = 32;
  int beam = 4;
  std::string matmul_precision = "float32";
  bool json = false;
  bool profile = false;
};

Batch random_batch(const io::ModelConfig& c, int batch_size, int src_len, int tgt_len, uint64_t seed) {
  SplitMix64 rng(seed);
  auto random_id = [&] { return int32_t(4 + rng.next() % uint64_t(c.vocab_size - 4)); };
  Batch b;
  b.batch_size = batch_size;
  b.src_len = src_len;
  b.tgt_len = tgt_len;
  for (int i = 0; i < batch_size * src_len; ++i) b.src_ids.push_back(random_id());
  for (int i = 0; i < batch_size * tgt_len; ++i) b.tgt_in_ids.push_back(random_id());
  for (int i = 0; i < batch_size * tgt_len; ++i) b.tgt_out_ids.push_back(random_id());
  b.src_lengths.assign(batch_size, src_len);
  b.tgt_lengths.assign(batch_size, tgt_len);
  return b;
}

// The matrix-product peak on the shapes a training step of this model runs: the best rate
// over its projections, feed-forward and generator products, forward and backward.
double training_gemm_peak(const io::ModelConfig& c, int64_t tokens, kernels::Precision precision) {
  const int64_t d = c.d_model, ff = c.dim_feedforward, v = c.vocab_size;
  const kernels::GemmShape shapes[] = {
      {tokens, 3 * d, d, false, true},  // Q, K, V projection
      {tokens, ff, d, false, true},     // FFN up
      {tokens, d, ff, false, true},     // FFN down
      {tokens, v, d, false, true},      // generator
      {tokens, d, v, false, false},     // generator backward, d input
      {v, d, tokens, true, false},      // generator backward, d weight
  };
  double best = 0.0;
  for (const auto& s : shapes) best = std::max(best, kernels::measure_gemm_gflops(s, precision));
  return best;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;
}

void run_bench(const BenchOptions& o) {
  kernels::set_num_threads(o.threads);
  const kernels::Precision precision = *train::parse_precision(o.matmul_precision);
  const bool train = o.mode == "train", translate = o.mode == "translate";
  if (precision == kernels::Precision::bfloat16) {
    if (translate) throw std::runtime_error("--matmul-precision bfloat16 is for --mode train and forward: translation runs in float32");
    kernels::require_native_bfloat16("--matmul-precision");
  }
  io::ModelConfig config = io::load_config_arg(o.config);
  // Positions are computed, not learned: room for any length asked for.
  config.max_positions = std::max(config.max_positions, std::max(o.src_len, o.tgt_len) + 2);
  nn::Transformer model(config);
  model.initialize(1);
  std::optional<train::Adam> adam;
  if (train) adam.emplace(model.parameters());
  Workspace workspace;
  decode::SearchBatch search_batch(model, workspace);
  const Batch batch = random_batch(config, o.batch, o.src_len, o.tgt_len, 7);
  const auto schedule = train::LearningRateSchedule::paper(config.d_model, 4000);
  // Translation: the batch's sources, each decoded to exactly tgt_len tokens.
  std::vector<std::vector<int32_t>> sources;
  for (int i = 0; i < o.batch; ++i)
    sources.emplace_back(batch.src_ids.begin() + i * o.src_len, batch.src_ids.begin() + (i + 1) * o.src_len);
  decode::SearchOptions search;
  search.beam_size = o.beam;
  search.max_length_ratio = 0.0;
  search.max_length_offset = search.min_length = o.tgt_len;

  auto run_step = [&] {
    if (train) {
      train::StepOptions step_options;
      step_options.matmul_precision = precision;
      train::train_step(model, *adam, workspace, {&batch, 1}, schedule(adam->steps_taken() + 1), step_options);
    } else if (translate) {
      decode::beam_search(search_batch, sources, search);
    } else {
      workspace.reset();
      nn::StepContext ctx = nn::StepContext::inference(workspace);
      ctx.products = precision;
      Tensor logits = model.forward(ctx, batch);
      kernels::cross_entropy(logits.data, batch.tgt_out_ids.data(), logits.rows(), logits.cols(), config.pad_id,
                             0.1f, 0.0f);
    }
  };
  const int steps = o.steps > 0             ? o.steps
                    : translate             ? 3
                    : config.d_model >= 512 ? (train ? 3 : 6)
                                            : (train ? 6 : 12);
  for (int i = 0; i < (translate ? 1 : 2); ++i) run_step();  // warm-up: workspace reaches its size, caches fill
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) run_step();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double rss_mb = peak_rss_mb();  // before the peak measurement below allocates its matrices
  const double tok_per_s = double(o.batch) * o.tgt_len * steps / seconds;
  nlohmann::json j = {{"impl", "tfm"},       {"mode", o.mode},         {"config", o.config},
                      {"threads", o.threads}, {"batch", o.batch},       {"src_len", o.src_len},
                      {"tgt_len", o.tgt_len}, {"steps", steps},         {"step_ms", 1e3 * seconds / steps},
                      {"tgt_tok_per_s", tok_per_s}, {"peak_rss_mb", rss_mb}, {"blas", "oneDNN"},
                      {"matmul_precision", o.matmul_precision}};
  if (translate) j["beam"] = o.beam;
  std::printf("config %s, mode %s, %d threads, %s products, batch %dx%d->%d%s: %.1f ms/step, %.0f target tokens/s, peak RSS %.0f MB\n",
              o.config.c_str(), o.mode.c_str(), o.threads, o.matmul_precision.c_str(), o.batch, o.src_len, o.tgt_len,
              translate ? (", beam " + std::to_string(o.beam)).c_str() : "", 1e3 * seconds / steps, tok_per_s,
              rss_mb);
  if (!translate) {  // model FLOPs are counted for the teacher-forced pass (train/flops.h)
    const double flops_per_step = (train ? 3.0 : 1.0) * train::forward_flops(config, o.batch, o.src_len, o.tgt_len);
    const double model_gflops = flops_per_step * steps / seconds / 1e9;
    const double peak_gflops = training_gemm_peak(config, int64_t(o.batch) * o.tgt_len, precision);
    j["model_gflops"] = model_gflops;
    j["gemm_peak_gflops"] = peak_gflops;
    j["mfu"] = model_gflops / peak_gflops;
    std::printf("model %.1f GFLOP/s of a %.1f GFLOP/s matrix-product peak (oneDNN, %s): MFU %.1f%%\n", model_gflops,
                peak_gflops, o.matmul_precision.c_str(), 100.0 * model_gflops / peak_gflops);
  }
  if (o.json) std::cout << j.dump() << std::endl;
  if (o.profile) {  // separate steps, so that the timed ones carry no profiling cost
    kernels::profile::clear();
    kernels::profile::set_enabled(true);
    const auto profile_start = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) run_step();
    const double profile_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - profile_start).count();
    kernels::profile::set_enabled(false);
    std::cerr << "where the time goes:\n"
              << app::profile_report(kernels::profile::totals(), profile_seconds, steps, "step");
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure training and inference speed on a fixed synthetic batch");
  cmd->add_option("--config", options->config, "Model configuration: S, B or a config.json file")
      ->capture_default_str();
  cmd->add_option("--mode", options->mode,
                  "train (forward+backward+Adam), forward (inference, teacher-forced) or translate (beam search "
                  "from each source to exactly --tgt-len tokens)")
      ->check(CLI::IsMember({"train", "forward", "translate"}))
      ->capture_default_str();
  cmd->add_option("--threads", options->threads, "Threads")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--steps", options->steps, "Timed steps (after 2 warm-up steps, 1 for translate); 0 picks a default")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--batch", options->batch, "Sentences per batch")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--src-len", options->src_len, "Source tokens per sentence")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--tgt-len", options->tgt_len, "Target tokens per sentence")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--beam", options->beam, "Beam size of --mode translate")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--matmul-precision", options->matmul_precision,
                  "Inputs of the linear layers' products: float32, or bfloat16 as tfm train chooses where the CPU "
                  "multiplies it natively")
      ->check(CLI::IsMember({"float32", "bfloat16"}))
      ->capture_default_str();
  cmd->add_flag("--json", options->json, "Also print the figures as one JSON object");
  cmd->add_flag("--profile", options->profile, "Then run the steps again and print, to standard error, where their time went, by kernel");
  cmd->callback([options] { run_bench(*options); });
}

}  // namespace tfm::cli
