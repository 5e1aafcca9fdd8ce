#pragma once
// One decoder layer (paper §3.1): masked multi-head self-attention, encoder-decoder
// attention over the encoder output, then the feed-forward network, each in Add & Norm.
#include <string>

#include "io/model_config.h"
#include "nn/add_norm.h"
#include "nn/decoder_cache.h"
#include "nn/feed_forward.h"
#include "nn/multi_head_attention.h"

namespace tfm::nn {

class DecoderLayer {
 public:
  DecoderLayer(ParameterSet& params, const std::string& name, const io::ModelConfig& config);

  // x [batch * tgt_len, d_model], memory [batch * src_len, d_model].
  Tensor forward(StepContext& ctx, const Tensor& x, const Tensor& memory, int64_t batch,
                 const AttentionMask& self_mask, const AttentionMask& memory_mask);
  // Returns dx; adds the gradient of memory into dmemory.
  Tensor backward(StepContext& ctx, const Tensor& dy, Tensor& dmemory);

  // Incremental decoding: x [rows, d_model] is the newest position of each row.
  Tensor step(StepContext& ctx, const Tensor& x, DecoderCache& cache, DecoderCache::Layer& layer_cache);
  // The encoder-side keys and values this layer reads at every step.
  Tensor project_memory(StepContext& ctx, const Tensor& memory) { return cross_attn_.project_memory(ctx, memory); }

  const MultiHeadAttention& self_attention() const { return self_attn_; }
  const MultiHeadAttention& cross_attention() const { return cross_attn_; }

 private:
  MultiHeadAttention self_attn_;
  AddNorm self_attn_block_;
  MultiHeadAttention cross_attn_;
  AddNorm cross_attn_block_;
  FeedForward feed_forward_;
  AddNorm ff_block_;
  Tensor h1_, h2_;  // outputs of the first two blocks
};

}  // namespace tfm::nn
