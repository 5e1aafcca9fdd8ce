#include "nn/encoder.h"

namespace tfm::nn {

Encoder::Encoder(ParameterSet& params, const io::ModelConfig& c, Param embedding_table,
                 const PositionalEncoding& positions)
    : embedding_(embedding_table, positions, float(c.dropout), "src_embed.dropout") {
  layers_.reserve(c.num_encoder_layers);
  for (int i = 0; i < c.num_encoder_layers; ++i) {
    layer_first_entry_.push_back(params.entries().size());
    layers_.emplace_back(params, "encoder.layers." + std::to_string(i), c);
  }
  final_norm_first_entry_ = params.entries().size();
  if (c.encoder_final_norm) final_norm_.emplace(params, "encoder.norm", c.d_model, float(c.layer_norm_eps));
}

Tensor Encoder::forward(StepContext& ctx, const int32_t* ids, const int32_t* lengths, int64_t batch, int64_t len) {
  batch_ = batch;
  const AttentionMask mask{lengths, false};
  const Workspace::Mark mark = ctx.workspace.mark();
  Tensor x = ctx.pass_on(mark, embedding_.forward(ctx, ids, batch, len));
  for (EncoderLayer& layer : layers_) x = ctx.pass_on(mark, layer.forward(ctx, x, batch, mask));
  return final_norm_ ? ctx.pass_on(mark, final_norm_->forward(ctx, x)) : x;
}

void Encoder::backward(StepContext& ctx, const Tensor& dmemory) {
  Tensor dx = dmemory;
  if (final_norm_) {
    dx = ctx.workspace.take(dmemory.shape);
    final_norm_->backward(ctx, dmemory, dx, false);
    ctx.report_gradients_final_from(final_norm_first_entry_);
  }
  for (size_t i = layers_.size(); i-- > 0;) {
    dx = layers_[i].backward(ctx, dx);
    ctx.report_gradients_final_from(layer_first_entry_[i]);
  }
  embedding_.backward(ctx, dx);
}

}  // namespace tfm::nn
