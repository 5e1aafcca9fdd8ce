#pragma once
// Placeholder until the io branch lands: the model hyper-parameters, named as in
// torch.nn.Transformer's constructor.
#include <string>

namespace tfm::io {

struct ModelConfig {
  int format_version = 1;
  int vocab_size = 8000;
  int d_model = 512;
  int nhead = 8;
  int num_encoder_layers = 6;
  int num_decoder_layers = 6;
  int dim_feedforward = 2048;
  double dropout = 0.1;
  double attention_dropout = 0.1;
  double activation_dropout = 0.1;
  std::string activation = "relu";
  double layer_norm_eps = 1e-5;
  bool norm_first = false;
  bool encoder_final_norm = false;
  bool decoder_final_norm = false;
  bool tie_embeddings = true;
  int pad_id = 0;
  int unk_id = 1;
  int bos_id = 2;
  int eos_id = 3;
  int max_positions = 1024;
};

}  // namespace tfm::io

namespace tfm::io {
// Placeholder: presets S and B only.
inline ModelConfig load_config_arg(const std::string& arg) {
  ModelConfig c;
  c.tie_embeddings = true;
  if (arg == "S") {
    c.d_model = 256; c.nhead = 4; c.dim_feedforward = 1024; c.num_encoder_layers = c.num_decoder_layers = 3;
  }
  return c;
}
}  // namespace tfm::io
