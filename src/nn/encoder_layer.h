#pragma once
// One encoder layer (paper §3.1): multi-head self-attention, then the position-wise
// feed-forward network, each wrapped in Add & Norm.
#include <string>

#include "io/model_config.h"
#include "nn/add_norm.h"
#include "nn/feed_forward.h"
#include "nn/multi_head_attention.h"

namespace tfm::nn {

class EncoderLayer {
 public:
  EncoderLayer(ParameterSet& params, const std::string& name, const io::ModelConfig& config);

  // x [batch * src_len, d_model]; mask: the source key lengths.
  Tensor forward(StepContext& ctx, const Tensor& x, int64_t batch, const AttentionMask& mask);
  Tensor backward(StepContext& ctx, const Tensor& dy);

  const MultiHeadAttention& self_attention() const { return self_attn_; }

 private:
  MultiHeadAttention self_attn_;
  AddNorm attn_block_;
  FeedForward feed_forward_;
  AddNorm ff_block_;
  Tensor h_;  // output of the attention block
};

}  // namespace tfm::nn
