// Translate's input path: text in, translations out, through decode::Translator with a tiny
// model built once from fixed seeds (a SentencePiece model trained on the demo's number
// words, random weights). Each input is split into lines; there must be one result per line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decode/translator.h"
#include "demo/number_words.h"
#include "io/model_config.h"
#include "kernels/matmul.h"
#include "nn/transformer.h"
#include "text/tokenizer.h"

namespace {

struct TinyTranslator {
  std::unique_ptr<tfm::text::Tokenizer> tokenizer;
  std::unique_ptr<tfm::nn::Transformer> model;
  // One translator for all inputs, as a stream or the server uses it: its scratch memory
  // carries over from input to input (and a fresh one per input spent its time allocating).
  std::unique_ptr<tfm::decode::Translator> translator;
};

TinyTranslator make_tiny_translator() {
  std::vector<std::string> english, german;
  for (int n = 0; n < 300; ++n) {
    english.push_back(tfm::demo::english_number(n));
    german.push_back(tfm::demo::german_number(n));
  }
  char dir_template[] = "/tmp/tfm-fuzz-XXXXXX";
  if (!::mkdtemp(dir_template)) std::abort();
  const std::filesystem::path spm = std::filesystem::path(dir_template) / "spm.model";
  tfm::text::TokenizerTrainingOptions options;
  options.num_threads = 1;
  tfm::text::Tokenizer::train_joint(english, german, spm.string(), 60, options);
  TinyTranslator t;
  t.tokenizer = std::make_unique<tfm::text::Tokenizer>(tfm::text::Tokenizer::load(spm.string()));
  std::filesystem::remove_all(dir_template);

  tfm::io::ModelConfig config = tfm::io::ModelConfig::preset("S");
  config.vocab_size = t.tokenizer->vocab_size();
  config.d_model = 16;
  config.nhead = 2;
  config.dim_feedforward = 32;
  config.num_encoder_layers = config.num_decoder_layers = 1;
  config.max_positions = 64;
  t.model = std::make_unique<tfm::nn::Transformer>(config);
  t.model->initialize(1);
  t.translator = std::make_unique<tfm::decode::Translator>(*t.model, *t.tokenizer);
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tfm::kernels::set_num_threads(1);  // one thread: libFuzzer's own timing and leak checks stay simple
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A translation costs in proportion to its length, and lines are cut at 16 pieces anyway:
  // 128 bytes hold a line longer than that, or several lines (more than one batch of 4),
  // and longer inputs would only slow the search down.
  if (size > 128) return 0;
  static const TinyTranslator tiny = make_tiny_translator();
  std::vector<std::string> lines;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (size_t start = 0; start <= text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  tfm::decode::TranslateOptions options;
  options.search.beam_size = 2;
  options.search.n_best = 2;
  options.batch_size = 4;
  options.max_input_tokens = 16;
  options.search.max_length_ratio = 0.5;  // a random model seldom ends a translation early,
  options.search.max_length_offset = 1;  // so each runs to its cap: keep the cap low
  const auto results = tiny.translator->translate(lines, options);
  if (results.size() != lines.size()) __builtin_trap();
  for (const auto& result : results)
    if (result.empty() || result.size() > 2) __builtin_trap();
  return 0;
}
