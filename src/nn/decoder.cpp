#include "nn/decoder.h"

namespace tfm::nn {

Decoder::Decoder(ParameterSet& params, const io::ModelConfig& c, Param embedding_table,
                 const PositionalEncoding& positions)
    : embedding_(embedding_table, positions, float(c.dropout), "tgt_embed.dropout") {
  layers_.reserve(c.num_decoder_layers);
  for (int i = 0; i < c.num_decoder_layers; ++i)
    layers_.emplace_back(params, "decoder.layers." + std::to_string(i), c);
  if (c.decoder_final_norm) final_norm_.emplace(params, "decoder.norm", c.d_model, float(c.layer_norm_eps));
}

Tensor Decoder::forward(StepContext& ctx, const int32_t* ids, const int32_t* lengths, int64_t batch, int64_t len,
                        const Tensor& memory, const int32_t* memory_lengths) {
  const AttentionMask self_mask{lengths, true};
  const AttentionMask memory_mask{memory_lengths, false};
  Tensor x = embedding_.forward(ctx, ids, batch, len);
  for (DecoderLayer& layer : layers_) x = layer.forward(ctx, x, memory, batch, self_mask, memory_mask);
  return final_norm_ ? final_norm_->forward(ctx, x) : x;
}

void Decoder::backward(StepContext& ctx, const Tensor& dy, Tensor& dmemory) {
  Tensor dx = dy;
  if (final_norm_) {
    dx = ctx.workspace.take(dy.shape);
    final_norm_->backward(ctx, dy, dx, false);
  }
  for (auto layer = layers_.rbegin(); layer != layers_.rend(); ++layer) dx = layer->backward(ctx, dx, dmemory);
  embedding_.backward(ctx, dx);
}

}  // namespace tfm::nn
