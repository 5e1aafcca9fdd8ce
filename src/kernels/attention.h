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

struct AttentionShape {
  int64_t batch;
  int64_t heads;
  int64_t head_dim;
  int64_t q_len;                // queries per sentence; query rows are b * q_len + i
  int64_t kv_len;               // keys per sentence; key rows are b * kv_len + j
  const int32_t* key_lengths;   // [batch]: keys j >= key_lengths[b] are padding; null: none
  bool causal;                  // query i sees keys j <= i + (kv_len - q_len)
};

// out = softmax(q k^T * scale + mask) v, with dropout on the weights. Saves the weights
// (before dropout) in probs [batch, heads, q_len, kv_len] when probs is not null.
void attention_forward(const AttentionShape& shape, RowView q, RowView k, RowView v, const Dropout& d,
                       float* probs, RowView out);

// Given dout, writes dq, dk and dv (every row and head of them: no accumulation).
void attention_backward(const AttentionShape& shape, RowView q, RowView k, RowView v, const float* probs,
                        const Dropout& d, RowView dout, RowView dq, RowView dk, RowView dv);

}  // namespace tfm::kernels
