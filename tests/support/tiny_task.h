#pragma once
// A tiny training task: English -> German number words for 0..count-1 and a tiny model
// config, for tests that train in a second or so, in-process or through the `tfm` binary.
#include <filesystem>
#include <string>
#include <vector>

#include "demo/number_words.h"
#include "io/model_config.h"
#include "support/temp_dir.h"
#include "train/trainer.h"

namespace tfm::testing {

struct TinyTask {
  TempDir dir;
  std::filesystem::path src, tgt, config;
  std::vector<std::string> english, german;

  TinyTask(int count, double dropout) {
    for (int n = 0; n < count; ++n) {
      english.push_back(demo::english_number(n));
      german.push_back(demo::german_number(n));
    }
    std::string en, de;
    for (int n = 0; n < count; ++n) en += english[n] + "\n", de += german[n] + "\n";
    src = dir.write("train.en", en);
    tgt = dir.write("train.de", de);
    io::ModelConfig c = io::ModelConfig::preset("S");
    c.vocab_size = 90;
    c.d_model = 64;
    c.nhead = 4;
    c.dim_feedforward = 128;
    c.num_encoder_layers = c.num_decoder_layers = 2;
    c.dropout = c.attention_dropout = c.activation_dropout = dropout;
    c.max_positions = 64;
    config = dir.path() / "tiny.json";
    c.save(config);
  }

  train::TrainerOptions options(const std::string& model) const {
    train::TrainerOptions o;
    o.train_src = src;
    o.train_tgt = tgt;
    o.model_dir = dir.path() / model;
    o.config = config.string();
    o.batch_tokens = 1024;
    o.warmup_steps = 100;
    o.log_every = 1;
    return o;
  }

  // The same run as options(model) gives, as `tfm train` arguments (after the program name),
  // on one thread so that runs compare bitwise; `extra` follows.
  std::vector<std::string> train_arguments(const std::string& model, const std::vector<std::string>& extra) const {
    std::vector<std::string> args = {"train", "--src", src.string(), "--tgt", tgt.string(),
                                     "--model", (dir.path() / model).string(), "--config", config.string(),
                                     "--batch-tokens", "1024", "--warmup", "100", "--log-every", "1",
                                     "--threads", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
};

}  // namespace tfm::testing
