#pragma once
// Multi-head attention (paper §3.2.2): MultiHead(Q, K, V) = Concat(head_1..head_h) W^O with
// head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V). Parameters as nn.MultiheadAttention stores
// them: in_proj_weight [3 d_model, d_model] holds W^Q, W^K, W^V row blocks; out_proj is W^O.
//
// Used three ways (§3.2.3): encoder self-attention, masked decoder self-attention, and
// encoder-decoder attention, whose queries come from the decoder and keys and values from
// the encoder output ("memory").
#include <string>

#include "kernels/attention.h"
#include "nn/linear.h"
#include "nn/step_context.h"
#include "tensor/parameters.h"

namespace tfm::nn {

// Which keys each query may see.
struct AttentionMask {
  const int32_t* key_lengths = nullptr;  // [batch]: keys at or past the length are padding
  bool causal = false;                   // a position sees only itself and earlier ones
};

// Keys and values kept for incremental decoding: K | V rows [slots, capacity, 2 d_model].
// Query row r reads slot slot_of_row[r], whose first slot_lengths[slot] positions are set.
struct KeyValueSlots {
  float* data;
  int64_t capacity;
  const int32_t* slot_of_row;
  const int32_t* slot_lengths;
  int64_t longest;  // the most positions any row reads
};

class MultiHeadAttention {
 public:
  MultiHeadAttention(ParameterSet& params, const std::string& name, int d_model, int heads, float dropout);

  // Self-attention: x [batch * len, d_model] -> [batch * len, d_model].
  Tensor forward_self(StepContext& ctx, const Tensor& x, int64_t batch, const AttentionMask& mask);
  // Returns dx.
  Tensor backward_self(StepContext& ctx, const Tensor& dy);

  // Encoder-decoder attention: queries from x [batch * q_len, d_model], keys and values
  // from memory [batch * kv_len, d_model].
  Tensor forward_cross(StepContext& ctx, const Tensor& x, const Tensor& memory, int64_t batch,
                       const AttentionMask& mask);
  // Returns dx; adds d memory into dmemory.
  Tensor backward_cross(StepContext& ctx, const Tensor& dy, Tensor& dmemory);

  // Incremental decoding. Self-attention of one new position per row, x [rows, d_model]: its
  // key and value are written as the last position of the row's slot, and it attends to all
  // of the slot's positions.
  Tensor step_self(StepContext& ctx, const Tensor& x, const KeyValueSlots& cache);
  // Keys and values of the encoder output, once per sentence: memory [rows, d_model] ->
  // kv [rows, 2 d_model].
  Tensor project_memory(StepContext& ctx, const Tensor& memory);
  // Encoder-decoder attention of one position per row over its sentence's projected memory.
  Tensor step_cross(StepContext& ctx, const Tensor& x, const KeyValueSlots& memory);

  // The attention weights of the last forward, [batch, heads, q_len, kv_len] (for inspection).
  const Tensor& weights() const { return probs_; }

 private:
  kernels::AttentionShape shape(int64_t batch, int64_t q_len, int64_t kv_len, const AttentionMask& mask) const;
  Tensor attend_cached(StepContext& ctx, const float* q, int64_t q_ld, int64_t rows, const KeyValueSlots& kv);

  int d_model_;
  int heads_;
  float dropout_;
  uint32_t site_;
  Linear qkv_proj_;  // all of in_proj: self-attention
  Linear q_proj_;    // its W^Q rows: encoder-decoder attention
  Linear kv_proj_;   // its W^K and W^V rows
  Linear out_proj_;

  // Saved by forward for backward.
  kernels::AttentionShape shape_{};
  Tensor x_, memory_;      // inputs
  Tensor q_, kv_, qkv_;    // projections (qkv_ for self-, q_ and kv_ for cross-attention)
  Tensor probs_;           // [batch, heads, q_len, kv_len]
  Tensor context_;         // heads concatenated, [batch * q_len, d_model]
};

}  // namespace tfm::nn
