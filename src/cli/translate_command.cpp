// `tfm translate` and `tfm score`: use a trained model.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "app/model_directory.h"
#include "app/profile_report.h"
#include "cli/commands.h"
#include "decode/scorer.h"
#include "decode/translator.h"
#include "io/corpus.h"
#include "kernels/matmul.h"
#include "kernels/profile.h"

namespace tfm::cli {

namespace {

struct TranslateCommandOptions {
  std::string model_dir;
  std::string input;  // empty: standard input
  int threads = 0;
  bool profile = false;
  decode::TranslateOptions translate;
};

void run_translate(const TranslateCommandOptions& o) {
  kernels::set_num_threads(o.threads);
  app::ModelDirectory m = app::load_model_directory(o.model_dir);
  const std::vector<std::string> lines = io::read_lines(o.input.empty() ? "/dev/stdin" : o.input);
  const std::string input_name = o.input.empty() ? "standard input" : o.input;
  const decode::Translator translator(*m.model, m.tokenizer);
  kernels::profile::set_enabled(o.profile);
  const auto start = std::chrono::steady_clock::now();
  const auto results = translator.translate(lines, o.translate, [&](size_t line, size_t pieces) {
    std::fprintf(stderr, "tfm translate: warning: %s line %zu has %zu pieces, truncated to %d\n", input_name.c_str(),
                 line + 1, pieces, (o.translate.max_input_tokens > 0 ? o.translate.max_input_tokens
                                                                    : m.model->config().max_positions) - 1);
  });
  if (o.profile) {
    // Decoder steps, each batch's counted once: beam_top_k runs once per step.
    const auto totals = kernels::profile::totals();
    int64_t steps = 0;
    for (const auto& t : totals)
      if (t.name == "beam_top_k") steps = t.calls;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cerr << "where the time goes (" << steps << " decoder steps of batches of up to "
              << o.translate.batch_size << " sentences, beam " << o.translate.search.beam_size
              << "; encoding and tokenization included):\n"
              << app::profile_report(totals, seconds, steps, "step");
  }
  const bool n_best = o.translate.search.n_best > 1;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!n_best) {
      std::cout << results[i].front().text << '\n';
      continue;
    }
    // Marian's and Moses' n-best format: line index ||| translation ||| score
    for (const auto& h : results[i]) std::cout << i << " ||| " << h.text << " ||| " << h.score << '\n';
  }
  std::cout.flush();
}

struct ScoreCommandOptions {
  std::string model_dir, src, tgt;
  int threads = 0;
  int batch_size = 64;
};

void run_score(const ScoreCommandOptions& o) {
  kernels::set_num_threads(o.threads);
  app::ModelDirectory m = app::load_model_directory(o.model_dir);
  const io::ParallelCorpus corpus = io::read_parallel_corpus(o.src, o.tgt);
  std::vector<std::vector<int32_t>> sources, targets;
  const size_t max_pieces = size_t(m.model->config().max_positions - 1);
  for (size_t i = 0; i < corpus.size(); ++i) {
    const auto s = m.tokenizer.encode(corpus.source[i]);
    const auto t = m.tokenizer.encode(corpus.target[i]);
    if (s.size() > max_pieces || t.size() > max_pieces)
      throw std::runtime_error("line " + std::to_string(i + 1) + " of " + o.src + " / " + o.tgt + " is longer than the model's " +
                               std::to_string(max_pieces) + " pieces");
    sources.emplace_back(s.begin(), s.end());
    targets.emplace_back(t.begin(), t.end());
  }
  for (double score : decode::score_pairs(*m.model, sources, targets, o.batch_size)) std::printf("%.6f\n", score);
}

}  // namespace

void add_translate_command(CLI::App& app) {
  auto o = std::make_shared<TranslateCommandOptions>();
  CLI::App* cmd = app.add_subcommand("translate", "Translate sentences, one per line, from standard input or --input");
  cmd->add_option("--model", o->model_dir, "Model directory")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--input", o->input, "Input file (plain or gzip; default: standard input)")->check(CLI::ExistingFile);
  cmd->add_option("--beam", o->translate.search.beam_size, "Beam size (1: greedy)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--alpha", o->translate.search.length_penalty, "Length penalty exponent ((5 + n) / 6)^alpha")
      ->capture_default_str();
  cmd->add_option("--batch-size", o->translate.batch_size, "Sentences translated together")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-length-ratio", o->translate.search.max_length_ratio,
                  "Longest output: this times the source pieces, plus --max-length-offset")
      ->capture_default_str();
  cmd->add_option("--max-length-offset", o->translate.search.max_length_offset, "See --max-length-ratio")
      ->capture_default_str();
  cmd->add_option("--min-length", o->translate.search.min_length, "Translations have at least this many pieces")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--max-input-tokens", o->translate.max_input_tokens,
                  "Longer inputs are truncated, with a warning (default: what the model allows)");
  cmd->add_option("--n-best", o->translate.search.n_best, "Print this many hypotheses per line with their scores")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads (default: all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--profile", o->profile, "Print where the time went, by kernel, to standard error");
  cmd->callback([o] { run_translate(*o); });
}

void add_score_command(CLI::App& app) {
  auto o = std::make_shared<ScoreCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "score", "Print log P(target | source) per line: natural-log probabilities of the target pieces and EOS");
  cmd->add_option("--model", o->model_dir, "Model directory")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--src", o->src, "Source sentences")->required()->check(CLI::ExistingFile);
  cmd->add_option("--tgt", o->tgt, "Target sentences, line-aligned with --src")->required()->check(CLI::ExistingFile);
  cmd->add_option("--batch-size", o->batch_size, "Pairs scored together")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads (default: all cores)")->check(CLI::NonNegativeNumber);
  cmd->callback([o] { run_score(*o); });
}

}  // namespace tfm::cli
