// tfm bleu: BLEU, chrF or chrF++ of detokenized translations against one reference file,
// computed and printed as sacreBLEU 2.6.0 does (see text/evaluation.h for the formats).
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "text/evaluation.h"

namespace tfm::cli {
namespace {

struct BleuCommandArgs {
  std::string ref;
  std::string input;  // empty: stdin
  std::string metric = "bleu";
  std::string tokenize = "13a";
  std::string format = "json";
  bool lowercase = false;
  bool sentence_level = false;
  bool score_only = false;
  int width = 1;
};

void run(const BleuCommandArgs& args) {
  text::EvaluationOptions options;
  options.metric = text::parse_metric(args.metric);
  options.tokenizer = text::parse_bleu_tokenizer(args.tokenize);
  options.lowercase = args.lowercase;
  options.sentence_level = args.sentence_level;
  options.format = args.score_only ? text::ReportFormat::kScoreOnly
                   : args.format == "text" ? text::ReportFormat::kText
                                           : text::ReportFormat::kJson;
  options.width = args.width;

  const text::Segments refs = text::read_segments_file(args.ref);
  const text::Segments hyps =
      args.input.empty() ? text::read_segments_stream(std::cin, "<stdin>") : text::read_segments_file(args.input);
  std::cout << text::evaluate(hyps, refs, options) << std::flush;
}

}  // namespace

void add_bleu_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "bleu", "Score detokenized translations with BLEU, chrF or chrF++, exactly as sacreBLEU 2.6.0 does");
  auto args = std::make_shared<BleuCommandArgs>();
  cmd->add_option("-r,--ref", args->ref, "Reference file, one segment per line (plain or .gz)")->required();
  cmd->add_option("-i,--input", args->input, "Hypothesis file (plain or .gz); default: standard input");
  cmd->add_option("-m,--metric", args->metric, "Metric")
      ->check(CLI::IsMember({"bleu", "chrf", "chrf++"}))
      ->capture_default_str();
  cmd->add_option("--tokenize", args->tokenize, "BLEU tokenizer")
      ->check(CLI::IsMember({"13a", "intl", "none"}))
      ->capture_default_str();
  cmd->add_flag("--lowercase", args->lowercase, "Compare lowercased text (Python's str.lower())");
  cmd->add_flag("--sentence-level", args->sentence_level,
                "One score per line (BLEU then uses effective order, as sacrebleu -sl)");
  cmd->add_option("-f,--format", args->format, "Corpus-level output: sacreBLEU's JSON or its one-line text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  cmd->add_flag("-b,--score-only", args->score_only, "Print only the score");
  cmd->add_option("-w,--width", args->width, "Decimals of the printed score")
      ->check(CLI::Range(0, 16))
      ->capture_default_str();
  cmd->callback([args] { run(*args); });
}

}  // namespace tfm::cli
