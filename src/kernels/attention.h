#pragma once
// Scaled dot-product attention (paper eq. 1), softmax(Q K^T / sqrt(d_k)) V, for every
// sentence and head at once, with key-padding and causal masks and dropout on the weights.
//
// Q, K and V are read in place from the projection outputs: head h of row r is the
// head_dim values starting at data + r * ld + h * head_dim. So one [rows, 3 * d_model]
// buffer holds Q, K and V of self-attention, and the output is the heads concatenated.
#include <cstdint>

#include "kernels/dropout.h"

namespace tfm::kernels {

struct RowView {
  float* data;
  int64_t ld;  // floats between consecutive rows
};

struct ConstRowView {
  const float* data;
  int64_t ld;
  ConstRowView(const float* d, int64_t l) : data(d), ld(l) {}
  ConstRowView(RowView v) : data(v.data), ld(v.ld) {}  // NOLINT: a writable view reads too
};

struct AttentionShape {
  int64_t batch;
  int64_t heads;
  int64_t head_dim;
  int64_t q_len;                // queries per sentence; query rows are b * q_len + i
  int64_t kv_len;               // keys per sentence
  const int32_t* key_lengths;   // per key sentence: keys j >= key_lengths[b] are padding; null: none
  bool causal;                  // query i sees keys j <= i + (kv_len - q_len)
  // Where sentence b's keys are: rows kv_sentence(b) * kv_stride + j. In training both are
  // the identity layout (kv_index null, kv_stride 0 meaning kv_len); incremental decoding
  // keeps a cache with room for more positions (kv_stride > kv_len), and beam search lets
  // several query rows share one sentence's encoder output (kv_index).
  const int32_t* kv_index = nullptr;
  int64_t kv_stride = 0;

  int64_t kv_sentence(int64_t b) const { return kv_index ? kv_index[b] : b; }
  int64_t key_row(int64_t b, int64_t j) const { return kv_sentence(b) * (kv_stride ? kv_stride : kv_len) + j; }
};

// out = softmax(q k^T * scale + mask) v, with dropout on the weights. Saves the weights
// (before dropout) in probs [batch, heads, q_len, kv_len] when probs is not null.
void attention_forward(const AttentionShape& shape, ConstRowView q, ConstRowView k, ConstRowView v,
                       Dropout d, float* probs, RowView out);

// Given dout, writes dq, dk and dv (every row and head of them: no accumulation). Training
// layout only (no kv_index, no kv_stride).
void attention_backward(const AttentionShape& shape, ConstRowView q, ConstRowView k, ConstRowView v,
                        const float* probs, Dropout d, ConstRowView dout, RowView dq, RowView dk, RowView dv);

}  // namespace tfm::kernels
