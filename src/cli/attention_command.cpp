// `tfm attention`: translate one sentence and draw where the model attended as heatmaps.
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "app/attention_maps.h"
#include "app/model_directory.h"
#include "cli/commands.h"
#include "decode/translator.h"
#include "io/atomic_file.h"
#include "kernels/matmul.h"
#include "viz/attention_heatmap.h"

namespace tfm::cli {

namespace {

struct AttentionCommandOptions {
  std::string model_dir;
  std::string source;
  std::string out = "attention.svg";
  bool self_attention = false;
  int threads = 0;
  decode::TranslateOptions translate;
};

void run_attention(const AttentionCommandOptions& o) {
  kernels::set_num_threads(o.threads);
  app::ModelDirectory m = app::load_model_directory(o.model_dir);
  const std::vector<int> encoded = m.tokenizer.encode(o.source);
  const std::vector<int32_t> source(encoded.begin(), encoded.end());
  // Checked here rather than left to the translator, which would cut the sentence short.
  if (source.size() + 1 > size_t(m.model->config().max_positions))
    throw std::runtime_error("--src has " + std::to_string(source.size()) + " pieces; the model in " + o.model_dir +
                             " allows at most " + std::to_string(m.model->config().max_positions - 1));
  const decode::Translator translator(*m.model, m.tokenizer);
  const decode::TextHypothesis translation = translator.translate({o.source}, o.translate).front().front();

  const app::SentenceAttention attention = app::extract_attention(*m.model, source, translation.tokens);
  const std::string svg =
      viz::render_attention_heatmaps(app::attention_figure(attention, m.tokenizer, o.self_attention));
  io::write_file_atomically(o.out, svg);
  std::cout << translation.text << '\n' << "attention maps written to " << o.out << '\n';
}

}  // namespace

void add_attention_command(CLI::App& app) {
  auto o = std::make_shared<AttentionCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "attention", "Translate one sentence and draw every layer's attention weights as heatmaps in an SVG");
  cmd->add_option("--model", o->model_dir, "Model directory")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--src", o->source, "The sentence to translate")->required();
  cmd->add_option("--out", o->out, "SVG file to write")->capture_default_str();
  cmd->add_option("--beam", o->translate.search.beam_size, "Beam size (1: greedy)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--self-attention", o->self_attention,
                "Also draw the encoder's self-attention and the decoder's masked self-attention");
  cmd->add_option("--threads", o->threads, "Threads (default: all cores)")->check(CLI::NonNegativeNumber);
  cmd->callback([o] { run_attention(*o); });
}

}  // namespace tfm::cli
