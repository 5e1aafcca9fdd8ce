#pragma once
// A complete model directory (config.json, model.safetensors, spm.model) small enough to
// build in a test: a SentencePiece model trained on English and German number words and a
// randomly initialised Transformer. Its translations are nonsense, but deterministic, which
// is all that tests of the plumbing around the model need.
#include <filesystem>
#include <string>
#include <vector>

#include "demo/number_words.h"
#include "io/model_config.h"
#include "io/model_weights.h"
#include "nn/transformer.h"
#include "support/temp_dir.h"
#include "text/tokenizer.h"

namespace tfm::testing {

class TinyModelDirectory {
 public:
  TinyModelDirectory() {
    std::vector<std::string> english, german;
    for (int n = 0; n < 400; ++n) {
      english.push_back(demo::english_number(n));
      german.push_back(demo::german_number(n));
    }
    text::TokenizerTrainingOptions spm;
    spm.num_threads = 1;
    text::Tokenizer::train_joint(english, german, (dir_ / "spm.model").string(), 60, spm);
    io::ModelConfig c = io::ModelConfig::preset("S");
    c.vocab_size = 60;
    c.d_model = 32;
    c.nhead = 2;
    c.dim_feedforward = 64;
    c.num_encoder_layers = c.num_decoder_layers = 1;
    c.max_positions = 64;
    c.save(dir_ / "config.json");
    nn::Transformer model(c);
    model.initialize(5);
    // A random model rarely ends a sentence: favour EOS so that outputs vary in length.
    model.parameters().find("generator.bias")->param.value.data[c.eos_id] = 2.0f;
    io::save_parameters(dir_ / "model.safetensors", model.parameters());
  }

  const std::filesystem::path& path() const { return dir_.path(); }

 private:
  TempDir dir_;
};

}  // namespace tfm::testing
