#include "nn/decoder.h"

namespace tfm::nn {

Decoder::Decoder(ParameterSet& params, const io::ModelConfig& c, Param embedding_table,
                 const PositionalEncoding& positions)
    : embedding_(embedding_table, positions, float(c.dropout), "tgt_embed.dropout") {
  layers_.reserve(c.num_decoder_layers);
  for (int i = 0; i < c.num_decoder_layers; ++i) {
    layer_first_entry_.push_back(params.entries().size());
    layers_.emplace_back(params, "decoder.layers." + std::to_string(i), c);
  }
  final_norm_first_entry_ = params.entries().size();
  if (c.decoder_final_norm) final_norm_.emplace(params, "decoder.norm", c.d_model, float(c.layer_norm_eps));
}

Tensor Decoder::forward(StepContext& ctx, const int32_t* ids, const int32_t* lengths, int64_t batch, int64_t len,
                        const Tensor& memory, const int32_t* memory_lengths) {
  const AttentionMask self_mask{lengths, true};
  const AttentionMask memory_mask{memory_lengths, false};
  const Workspace::Mark mark = ctx.workspace.mark();
  Tensor x = ctx.pass_on(mark, embedding_.forward(ctx, ids, batch, len));
  for (DecoderLayer& layer : layers_)
    x = ctx.pass_on(mark, layer.forward(ctx, x, memory, batch, self_mask, memory_mask));
  return final_norm_ ? ctx.pass_on(mark, final_norm_->forward(ctx, x)) : x;
}

void Decoder::add_sentences(StepContext& ctx, DecoderCache& cache, const Tensor& memory,
                            const int32_t* source_lengths, int64_t sentences, int64_t source_len,
                            const int32_t* rows_per_sentence, int64_t max_positions) {
  std::vector<const float*> memory_kv;
  for (DecoderLayer& layer : layers_) memory_kv.push_back(layer.project_memory(ctx, memory).data);
  cache.add_sentences(memory_kv, source_lengths, sentences, source_len, rows_per_sentence, max_positions);
}

Tensor Decoder::step(StepContext& ctx, const int32_t* ids, DecoderCache& cache) {
  const Workspace::Mark mark = ctx.workspace.mark();
  const std::vector<int32_t>& positions = cache.begin_step();
  Tensor x = ctx.pass_on(mark, embedding_.forward_at(ctx, ids, positions.data(), cache.rows()));
  for (size_t i = 0; i < layers_.size(); ++i)
    x = ctx.pass_on(mark, layers_[i].step(ctx, x, cache, cache.layers()[i]));
  return final_norm_ ? ctx.pass_on(mark, final_norm_->forward(ctx, x)) : x;
}

void Decoder::backward(StepContext& ctx, const Tensor& dy, Tensor& dmemory) {
  Tensor dx = dy;
  if (final_norm_) {
    dx = ctx.workspace.take(dy.shape);
    final_norm_->backward(ctx, dy, dx, false);
    ctx.report_gradients_final_from(final_norm_first_entry_);
  }
  for (size_t i = layers_.size(); i-- > 0;) {
    dx = layers_[i].backward(ctx, dx, dmemory);
    ctx.report_gradients_final_from(layer_first_entry_[i]);
  }
  embedding_.backward(ctx, dx);
}

}  // namespace tfm::nn
