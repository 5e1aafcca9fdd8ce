// `tfm translate` and `tfm score`: use a trained model, through the library's tfm::Translator.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>

#include "app/profile_report.h"
#include "cli/commands.h"
#include "io/text_reader.h"
#include "kernels/profile.h"
#include "tfm/translator.h"

namespace tfm::cli {

namespace {

struct StreamCommandOptions {
  std::string model_dir;
  int threads = 0;
  tfm::StreamOptions stream;
};

void add_stream_options(CLI::App& cmd, StreamCommandOptions& o) {
  cmd.add_option("--model", o.model_dir, "Model directory")->required()->check(CLI::ExistingDirectory);
  cmd.add_option("--maxi-batch", o.stream.maxi_batch,
                 "Batches read, sorted by length and processed before their results are written")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--invalid-utf8", o.stream.invalid_utf8,
                 "Input lines that are not UTF-8: replace each bad sequence by U+FFFD (with a warning) or stop")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, tfm::InvalidUtf8Policy>{{"replace", tfm::InvalidUtf8Policy::replace},
                                                         {"error", tfm::InvalidUtf8Policy::error}}))
      ->default_str("replace");
  cmd.add_flag_function("-q,--quiet", [&o](int64_t) { o.stream.progress = false; },
               "No progress line or summary on standard error (warnings still)");
  cmd.add_option("--threads", o.threads, "Threads (default: all cores)")->check(CLI::NonNegativeNumber);
}

struct TranslateCommandOptions : StreamCommandOptions {
  std::string input = std::string(io::kStandardInput);
  bool profile = false;
  tfm::TranslationOptions translate;
};

void run_translate(TranslateCommandOptions o) {
  const tfm::Translator translator(o.model_dir, o.threads);
  if (o.input == io::kStandardInput && isatty(STDIN_FILENO)) {
    // Someone is typing: each line is translated as soon as it is entered.
    o.translate.batch_size = 1;
    o.stream.maxi_batch = 1;
  }
  kernels::profile::set_enabled(o.profile);
  const tfm::StreamSummary summary = translator.translate_file(o.input, "-", o.translate, o.stream);
  if (o.profile) {
    // Decoder steps, each batch's counted once: beam_top_k runs once per step.
    const auto totals = kernels::profile::totals();
    int64_t steps = 0;
    for (const auto& t : totals)
      if (t.name == "beam_top_k") steps = t.calls;
    std::cerr << "where the time goes (" << steps << " decoder steps of batches of up to "
              << o.translate.batch_size << " sentences, beam " << o.translate.beam_size
              << "; encoding and tokenization included):\n"
              << app::profile_report(totals, summary.seconds, steps, "step");
  }
}

struct ScoreCommandOptions : StreamCommandOptions {
  std::string src, tgt;
  int batch_size = 64;
};

void run_score(const ScoreCommandOptions& o) {
  tfm::Translator(o.model_dir, o.threads).score_file(o.src, o.tgt, "-", o.batch_size, o.stream);
}

// An input file, or "-" for standard input.
CLI::Validator existing_file_or_standard_input() {
  return CLI::Validator(
      [](const std::string& path) { return path == io::kStandardInput ? std::string() : CLI::ExistingFile(path); },
      "FILE or -");
}

}  // namespace

void add_translate_command(CLI::App& app) {
  auto o = std::make_shared<TranslateCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "translate", "Translate sentences, one per line, from standard input or --input; each input line gives one output "
                   "line, written as soon as its window is done");
  add_stream_options(*cmd, *o);
  cmd->add_option("--input", o->input, "Input file (plain or gzip; default: standard input)")
      ->check(existing_file_or_standard_input());
  cmd->add_option("--beam", o->translate.beam_size, "Beam size (1: greedy)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--alpha", o->translate.length_penalty, "Length penalty exponent ((5 + n) / 6)^alpha")
      ->capture_default_str();
  cmd->add_option("--batch-size", o->translate.batch_size, "Sentences translated together")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-length-ratio", o->translate.max_length_ratio,
                  "Longest output: this times the source pieces, plus --max-length-offset")
      ->capture_default_str();
  cmd->add_option("--max-length-offset", o->translate.max_length_offset, "See --max-length-ratio")
      ->capture_default_str();
  cmd->add_option("--min-length", o->translate.min_length, "Translations have at least this many pieces")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--max-input-tokens", o->translate.max_input_tokens,
                  "Longer inputs are truncated, with a warning (default: what the model allows)");
  cmd->add_option("--n-best", o->translate.n_best, "Print this many hypotheses per line with their scores")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--profile", o->profile, "Print where the time went, by kernel, to standard error");
  cmd->callback([o] { run_translate(*o); });
}

void add_score_command(CLI::App& app) {
  auto o = std::make_shared<ScoreCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "score", "Print log P(target | source) per line: natural-log probabilities of the target pieces and EOS");
  add_stream_options(*cmd, *o);
  cmd->add_option("--src", o->src, "Source sentences (plain or gzip; - for standard input)")
      ->required()
      ->check(existing_file_or_standard_input());
  cmd->add_option("--tgt", o->tgt, "Target sentences, line-aligned with --src")
      ->required()
      ->check(existing_file_or_standard_input());
  cmd->add_option("--batch-size", o->batch_size, "Pairs scored together")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->callback([o] { run_score(*o); });
}

}  // namespace tfm::cli
