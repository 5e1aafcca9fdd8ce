#pragma once
// The encoder (paper §3.1): source embedding + positional encoding, then N identical layers,
// then a final LayerNorm when the config asks for one (usual with pre-norm).
#include <optional>
#include <vector>

#include "io/model_config.h"
#include "nn/embedding.h"
#include "nn/encoder_layer.h"
#include "nn/layer_norm.h"

namespace tfm::nn {

class Encoder {
 public:
  Encoder(ParameterSet& params, const io::ModelConfig& config, Param embedding_table,
          const PositionalEncoding& positions);

  // ids [batch, len] with lengths [batch] -> memory [batch * len, d_model]
  Tensor forward(StepContext& ctx, const int32_t* ids, const int32_t* lengths, int64_t batch, int64_t len);
  // Backward from d memory down to the embedding table.
  void backward(StepContext& ctx, const Tensor& dmemory);

  const std::vector<EncoderLayer>& layers() const { return layers_; }

 private:
  Embedding embedding_;
  std::vector<EncoderLayer> layers_;
  std::optional<LayerNorm> final_norm_;
  // The parameter set's index of each layer's first entry, and of the final norm's, for
  // StepContext::gradients_final_from.
  std::vector<size_t> layer_first_entry_;
  size_t final_norm_first_entry_ = 0;
  int64_t batch_ = 0;
};

}  // namespace tfm::nn
