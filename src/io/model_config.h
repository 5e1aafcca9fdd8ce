#pragma once
// A model's architecture and vocabulary conventions: config.json in a model directory
// (docs/model-format.md). Field names follow torch.nn.Transformer's constructor.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace tfm::io {

enum class Activation { relu, gelu };  // gelu is the exact x * Phi(x), as in torch

struct ModelConfig {
  int format_version = 1;
  int vocab_size = 0;
  int d_model = 0;
  int nhead = 0;
  int num_encoder_layers = 0;
  int num_decoder_layers = 0;
  int dim_feedforward = 0;
  double dropout = 0.0;
  double attention_dropout = 0.0;   // on the attention probabilities
  double activation_dropout = 0.0;  // after the feed-forward activation
  Activation activation = Activation::relu;
  double layer_norm_eps = 1e-5;
  bool norm_first = false;
  bool encoder_final_norm = false;
  bool decoder_final_norm = false;
  bool tie_embeddings = false;  // source, target embedding and generator weight are one tensor
  int pad_id = 0;
  int unk_id = 1;
  int bos_id = 2;
  int eos_id = 3;
  int max_positions = 1024;  // the longest sequence the positional encoding is tabulated for

  bool operator==(const ModelConfig&) const = default;

  // "S" (small, 3+3 layers of 256) or "B" (base, 6+6 layers of 512, the paper's base model).
  static ModelConfig preset(const std::string& name);

  // Fields absent from `json` take their defaults; `source` (a path or "config") prefixes errors.
  static ModelConfig from_json(const nlohmann::ordered_json& json, const std::string& source);
  nlohmann::ordered_json to_json() const;  // every field, defaults included
  static ModelConfig load(const std::filesystem::path& path);
  void save(const std::filesystem::path& path) const;  // atomic

  // Throws FormatError naming `source` and the first offending field, expected vs got.
  void validate(const std::string& source) const;
};

// The --config argument: a preset name ("S", "B") or else a path to a config.json.
ModelConfig load_config_arg(const std::string& arg);

}  // namespace tfm::io
