#include "nn/multi_head_attention.h"

#include <algorithm>

namespace tfm::nn {

namespace {

// Where attention_forward saves the weights: nowhere in inference.
Tensor attention_weights(StepContext& ctx, Shape shape) {
  return ctx.keep_activations ? ctx.workspace.take(shape) : Tensor{nullptr, Shape{}};
}

}  // namespace

MultiHeadAttention::MultiHeadAttention(ParameterSet& params, const std::string& name, int d_model, int heads,
                                       float dropout)
    : d_model_(d_model), heads_(heads), dropout_(dropout), site_(dropout_site(name + ".attention_dropout")) {
  assert(d_model % heads == 0);
  const Param in_w = params.add(name + ".in_proj_weight", {3 * d_model, d_model});
  const Param in_b = params.add(name + ".in_proj_bias", {3 * d_model});
  const Param out_w = params.add(name + ".out_proj.weight", {d_model, d_model});
  const Param out_b = params.add(name + ".out_proj.bias", {d_model});
  qkv_proj_ = Linear(in_w, in_b);
  q_proj_ = Linear(in_w.slice(0, d_model), in_b.slice(0, d_model));
  kv_proj_ = Linear(in_w.slice(d_model, 2 * d_model), in_b.slice(d_model, 2 * d_model));
  out_proj_ = Linear(out_w, out_b);
}

kernels::AttentionShape MultiHeadAttention::shape(int64_t batch, int64_t q_len, int64_t kv_len,
                                                  const AttentionMask& mask) const {
  return {batch, heads_, d_model_ / heads_, q_len, kv_len, mask.key_lengths, mask.causal};
}

Tensor MultiHeadAttention::forward_self(StepContext& ctx, const Tensor& x, int64_t batch, const AttentionMask& mask) {
  const int64_t len = x.rows() / batch, d = d_model_;
  x_ = x;
  qkv_ = qkv_proj_.forward(ctx, x);  // [batch * len, 3 d_model]: Q | K | V
  shape_ = shape(batch, len, len, mask);
  probs_ = attention_weights(ctx, {batch, heads_, len, len});
  context_ = ctx.workspace.take({batch * len, d});
  kernels::attention_forward(shape_, {qkv_.data, 3 * d}, {qkv_.data + d, 3 * d}, {qkv_.data + 2 * d, 3 * d},
                             ctx.dropout(dropout_, site_), probs_.data, {context_.data, d});
  return out_proj_.forward(ctx, context_);
}

Tensor MultiHeadAttention::backward_self(StepContext& ctx, const Tensor& dy) {
  const int64_t d = d_model_;
  Tensor dcontext = out_proj_.backward(ctx, context_, dy);
  Tensor dqkv = ctx.workspace.take(qkv_.shape);
  kernels::attention_backward(shape_, {qkv_.data, 3 * d}, {qkv_.data + d, 3 * d}, {qkv_.data + 2 * d, 3 * d},
                              probs_.data, ctx.dropout(dropout_, site_), {dcontext.data, d}, {dqkv.data, 3 * d},
                              {dqkv.data + d, 3 * d}, {dqkv.data + 2 * d, 3 * d});
  return qkv_proj_.backward(ctx, x_, dqkv);
}

Tensor MultiHeadAttention::forward_cross(StepContext& ctx, const Tensor& x, const Tensor& memory, int64_t batch,
                                         const AttentionMask& mask) {
  const int64_t q_len = x.rows() / batch, kv_len = memory.rows() / batch, d = d_model_;
  x_ = x;
  memory_ = memory;
  q_ = q_proj_.forward(ctx, x);          // [batch * q_len, d_model]
  kv_ = kv_proj_.forward(ctx, memory);   // [batch * kv_len, 2 d_model]: K | V
  shape_ = shape(batch, q_len, kv_len, mask);
  probs_ = attention_weights(ctx, {batch, heads_, q_len, kv_len});
  context_ = ctx.workspace.take({batch * q_len, d});
  kernels::attention_forward(shape_, {q_.data, d}, {kv_.data, 2 * d}, {kv_.data + d, 2 * d},
                             ctx.dropout(dropout_, site_), probs_.data, {context_.data, d});
  return out_proj_.forward(ctx, context_);
}

Tensor MultiHeadAttention::backward_cross(StepContext& ctx, const Tensor& dy, Tensor& dmemory) {
  const int64_t d = d_model_;
  Tensor dcontext = out_proj_.backward(ctx, context_, dy);
  Tensor dq = ctx.workspace.take(q_.shape);
  Tensor dkv = ctx.workspace.take(kv_.shape);
  kernels::attention_backward(shape_, {q_.data, d}, {kv_.data, 2 * d}, {kv_.data + d, 2 * d}, probs_.data,
                              ctx.dropout(dropout_, site_), {dcontext.data, d}, {dq.data, d}, {dkv.data, 2 * d},
                              {dkv.data + d, 2 * d});
  kv_proj_.backward(ctx, memory_, dkv, &dmemory);
  return q_proj_.backward(ctx, x_, dq);
}

Tensor MultiHeadAttention::step_self(StepContext& ctx, const Tensor& x, const KeyValueSlots& cache) {
  const int64_t rows = x.rows(), d = d_model_;
  Tensor qkv = qkv_proj_.forward(ctx, x);  // [rows, 3 d_model]: Q | K | V
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t slot = cache.slot_of_row[r], position = cache.slot_lengths[slot] - 1;
    std::copy(qkv.row(r) + d, qkv.row(r) + 3 * d, cache.data + (slot * cache.capacity + position) * 2 * d);
  }
  return attend_cached(ctx, qkv.data, 3 * d, rows, cache);
}

Tensor MultiHeadAttention::project_memory(StepContext& ctx, const Tensor& memory) {
  return kv_proj_.forward(ctx, memory);
}

Tensor MultiHeadAttention::step_cross(StepContext& ctx, const Tensor& x, const KeyValueSlots& memory) {
  const Tensor q = q_proj_.forward(ctx, x);
  return attend_cached(ctx, q.data, d_model_, x.rows(), memory);
}

// One query per row over the keys of its slot. Each (row, head) is its own product over the
// slot's positions alone, so a row's result does not depend on the other rows of the batch.
Tensor MultiHeadAttention::attend_cached(StepContext& ctx, const float* q, int64_t q_ld, int64_t rows,
                                         const KeyValueSlots& kv) {
  const int64_t d = d_model_;
  kernels::AttentionShape s = shape(rows, 1, kv.longest, {kv.slot_lengths, false});
  s.kv_index = kv.slot_of_row;
  s.kv_stride = kv.capacity;
  probs_ = attention_weights(ctx, {rows, heads_, 1, kv.longest});
  context_ = ctx.workspace.take({rows, d});
  kernels::attention_forward(s, {q, q_ld}, {kv.data, 2 * d}, {kv.data + d, 2 * d}, {}, probs_.data,
                             {context_.data, d});
  return out_proj_.forward(ctx, context_);
}

}  // namespace tfm::nn
