#include "nn/encoder_layer.h"


namespace tfm::nn {

EncoderLayer::EncoderLayer(ParameterSet& params, const std::string& name, const io::ModelConfig& c)
    : self_attn_(params, name + ".self_attn", c.d_model, c.nhead, float(c.attention_dropout)),
      attn_block_(params, name + ".norm1", name + ".dropout1", c.d_model, float(c.layer_norm_eps), float(c.dropout),
                  c.norm_first),
      feed_forward_(params, name, c.d_model, c.dim_feedforward, c.activation == io::Activation::gelu ? kernels::Activation::GELU : kernels::Activation::ReLU,
                    float(c.activation_dropout)),
      ff_block_(params, name + ".norm2", name + ".dropout2", c.d_model, float(c.layer_norm_eps), float(c.dropout),
                c.norm_first) {}

Tensor EncoderLayer::forward(StepContext& ctx, const Tensor& x, int64_t batch, const AttentionMask& mask) {
  Tensor attended = self_attn_.forward_self(ctx, attn_block_.sublayer_input(ctx, x), batch, mask);
  h_ = attn_block_.output(ctx, x, attended);
  Tensor transformed = feed_forward_.forward(ctx, ff_block_.sublayer_input(ctx, h_));
  return ff_block_.output(ctx, h_, transformed);
}

Tensor EncoderLayer::backward(StepContext& ctx, const Tensor& dy) {
  auto [dh, dtransformed] = ff_block_.output_backward(ctx, dy);
  ff_block_.sublayer_input_backward(ctx, feed_forward_.backward(ctx, dtransformed), dh);
  auto [dx, dattended] = attn_block_.output_backward(ctx, dh);
  attn_block_.sublayer_input_backward(ctx, self_attn_.backward_self(ctx, dattended), dx);
  return dx;
}

}  // namespace tfm::nn
