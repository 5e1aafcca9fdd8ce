#pragma once
// The decoder (paper §3.1): target embedding + positional encoding, N identical layers
// attending to the encoder output, and an optional final LayerNorm.
#include <optional>
#include <vector>

#include "io/model_config.h"
#include "nn/decoder_cache.h"
#include "nn/decoder_layer.h"
#include "nn/embedding.h"
#include "nn/layer_norm.h"

namespace tfm::nn {

class Decoder {
 public:
  Decoder(ParameterSet& params, const io::ModelConfig& config, Param embedding_table,
          const PositionalEncoding& positions);

  // Teacher forcing: ids [batch, len] (BOS + target), every position in parallel, each one
  // seeing only itself and earlier positions. Returns [batch * len, d_model].
  Tensor forward(StepContext& ctx, const int32_t* ids, const int32_t* lengths, int64_t batch, int64_t len,
                 const Tensor& memory, const int32_t* memory_lengths);
  // Backward to the embedding table; adds the gradient of memory into dmemory.
  void backward(StepContext& ctx, const Tensor& dy, Tensor& dmemory);

  // Incremental decoding. Adds to the cache rows_per_sentence[i] hypotheses of each sentence
  // i of memory [sentences * source_len, d_model], each with room for `max_positions`.
  void add_sentences(StepContext& ctx, DecoderCache& cache, const Tensor& memory, const int32_t* source_lengths,
                     int64_t sentences, int64_t source_len, const int32_t* rows_per_sentence, int64_t max_positions);
  // One more position for every row of the cache, each at its own position: ids [rows] ->
  // [rows, d_model].
  Tensor step(StepContext& ctx, const int32_t* ids, DecoderCache& cache);

  const std::vector<DecoderLayer>& layers() const { return layers_; }

 private:
  Embedding embedding_;
  std::vector<DecoderLayer> layers_;
  std::optional<LayerNorm> final_norm_;
  // The parameter set's index of each layer's first entry, and of the final norm's, for
  // StepContext::gradients_final_from.
  std::vector<size_t> layer_first_entry_;
  size_t final_norm_first_entry_ = 0;
};

}  // namespace tfm::nn
