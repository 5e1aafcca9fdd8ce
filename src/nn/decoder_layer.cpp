#include "nn/decoder_layer.h"


namespace tfm::nn {

DecoderLayer::DecoderLayer(ParameterSet& params, const std::string& name, const io::ModelConfig& c)
    : self_attn_(params, name + ".self_attn", c.d_model, c.nhead, float(c.attention_dropout)),
      self_attn_block_(params, name + ".norm1", name + ".dropout1", c.d_model, float(c.layer_norm_eps),
                       float(c.dropout), c.norm_first),
      cross_attn_(params, name + ".multihead_attn", c.d_model, c.nhead, float(c.attention_dropout)),
      cross_attn_block_(params, name + ".norm2", name + ".dropout2", c.d_model, float(c.layer_norm_eps),
                        float(c.dropout), c.norm_first),
      feed_forward_(params, name, c.d_model, c.dim_feedforward, c.activation == io::Activation::gelu ? kernels::Activation::GELU : kernels::Activation::ReLU,
                    float(c.activation_dropout)),
      ff_block_(params, name + ".norm3", name + ".dropout3", c.d_model, float(c.layer_norm_eps), float(c.dropout),
                c.norm_first) {}

Tensor DecoderLayer::forward(StepContext& ctx, const Tensor& x, const Tensor& memory, int64_t batch,
                             const AttentionMask& self_mask, const AttentionMask& memory_mask) {
  Tensor attended = self_attn_.forward_self(ctx, self_attn_block_.sublayer_input(ctx, x), batch, self_mask);
  h1_ = self_attn_block_.output(ctx, x, attended);
  Tensor looked_up =
      cross_attn_.forward_cross(ctx, cross_attn_block_.sublayer_input(ctx, h1_), memory, batch, memory_mask);
  h2_ = cross_attn_block_.output(ctx, h1_, looked_up);
  Tensor transformed = feed_forward_.forward(ctx, ff_block_.sublayer_input(ctx, h2_));
  return ff_block_.output(ctx, h2_, transformed);
}

Tensor DecoderLayer::step(StepContext& ctx, const Tensor& x, DecoderCache& cache, DecoderCache::Layer& layer_cache) {
  const KeyValueSlots self_kv{layer_cache.self_kv.slot(0), layer_cache.self_kv.capacity(), cache.row_slots(),
                              cache.slot_lengths(), cache.longest_row()};
  const KeyValueSlots memory_kv{layer_cache.memory_kv.slot(0), layer_cache.memory_kv.capacity(),
                                cache.row_sentences(), cache.sentence_lengths(), cache.longest_sentence()};
  Tensor attended = self_attn_.step_self(ctx, self_attn_block_.sublayer_input(ctx, x), self_kv);
  Tensor h1 = self_attn_block_.output(ctx, x, attended);
  Tensor looked_up = cross_attn_.step_cross(ctx, cross_attn_block_.sublayer_input(ctx, h1), memory_kv);
  Tensor h2 = cross_attn_block_.output(ctx, h1, looked_up);
  Tensor transformed = feed_forward_.forward(ctx, ff_block_.sublayer_input(ctx, h2));
  return ff_block_.output(ctx, h2, transformed);
}

Tensor DecoderLayer::backward(StepContext& ctx, const Tensor& dy, Tensor& dmemory) {
  auto [dh2, dtransformed] = ff_block_.output_backward(ctx, dy);
  ff_block_.sublayer_input_backward(ctx, feed_forward_.backward(ctx, dtransformed), dh2);
  auto [dh1, dlooked_up] = cross_attn_block_.output_backward(ctx, dh2);
  cross_attn_block_.sublayer_input_backward(ctx, cross_attn_.backward_cross(ctx, dlooked_up, dmemory), dh1);
  auto [dx, dattended] = self_attn_block_.output_backward(ctx, dh1);
  self_attn_block_.sublayer_input_backward(ctx, self_attn_.backward_self(ctx, dattended), dx);
  return dx;
}

}  // namespace tfm::nn
