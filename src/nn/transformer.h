#pragma once
// The whole encoder-decoder model (paper Figure 1): embeddings, encoder, decoder, generator.
// Owns the parameters; a training step is forward(), then loss_backward().
#include <cstdint>

#include "io/model_config.h"
#include "kernels/cross_entropy.h"
#include "nn/decoder.h"
#include "nn/encoder.h"
#include "nn/generator.h"
#include "nn/positional_encoding.h"
#include "tensor/parameters.h"
#include "train/batch.h"

namespace tfm::nn {

class Transformer {
 public:
  explicit Transformer(const io::ModelConfig& config);
  Transformer(const Transformer&) = delete;
  Transformer& operator=(const Transformer&) = delete;

  const io::ModelConfig& config() const { return config_; }
  ParameterSet& parameters() { return params_; }
  const ParameterSet& parameters() const { return params_; }

  // Fresh weights: Xavier-uniform matrices (as nn.Transformer), embeddings N(0, 1/d_model)
  // (their sqrt(d_model) scale then gives unit variance), LayerNorm 1 and 0, biases 0.
  void initialize(uint64_t seed);

  // Teacher-forced forward of a whole batch: logits [batch * tgt_len, vocab].
  Tensor forward(StepContext& ctx, const Batch& batch);

  // Label-smoothed cross-entropy of the logits of the last forward() (which it overwrites),
  // and its gradient times grad_scale added into every parameter's grad.
  kernels::CrossEntropyResult loss_backward(StepContext& ctx, const Batch& batch, float label_smoothing,
                                            float grad_scale);

  // Inference. The encoder output for source ids [batch, len] -> [batch * len, d_model].
  Tensor encode(StepContext& ctx, const int32_t* ids, const int32_t* lengths, int64_t batch, int64_t len) {
    return encoder_.forward(ctx, ids, lengths, batch, len);
  }
  // A decoder batch with no rows yet; sentences join it with add_to_decoding.
  DecoderCache new_decoding() const { return DecoderCache(config_.d_model, config_.num_decoder_layers); }
  // Adds rows_per_sentence[i] hypotheses of each sentence of the encoder output `memory`, see
  // Decoder::add_sentences.
  void add_to_decoding(StepContext& ctx, DecoderCache& cache, const Tensor& memory, const int32_t* lengths,
                       int64_t batch, int64_t len, const int32_t* rows_per_sentence, int64_t max_positions) {
    decoder_.add_sentences(ctx, cache, memory, lengths, batch, len, rows_per_sentence, max_positions);
  }
  // Log-probabilities of the next token of every row given ids [rows], the tokens just
  // decoded: [rows, vocab].
  Tensor decode_step(StepContext& ctx, const int32_t* ids, DecoderCache& cache);

  const Encoder& encoder() const { return encoder_; }
  const Decoder& decoder() const { return decoder_; }

 private:
  io::ModelConfig config_;
  ParameterSet params_;
  PositionalEncoding positions_;
  Param src_embed_, tgt_embed_, generator_weight_, generator_bias_;
  Encoder encoder_;
  Decoder decoder_;
  Generator generator_;
  // Saved by forward for loss_backward.
  Tensor memory_, logits_;
};

}  // namespace tfm::nn
