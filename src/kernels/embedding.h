#pragma once
// Token embedding lookup scaled by sqrt(d_model), plus the positional encoding (paper §3.4,
// §3.5), then dropout (§5.4: "to the sums of the embeddings and the positional encodings").
#include <cstdint>

#include "kernels/dropout.h"

namespace tfm::kernels {

struct EmbeddingShape {
  int64_t rows;             // tokens, [batch * seq_len]
  int64_t seq_len;          // row r is position r % seq_len + position_offset
  int64_t position_offset;  // first position (non-zero when decoding one step at a time)
  int64_t dim;              // d_model
  const int32_t* row_positions = nullptr;  // when given, row r is at position row_positions[r]
};

// out[r, :] = dropout(table[ids[r], :] * scale + positions[pos(r), :])
void embedding_forward(const EmbeddingShape& shape, const int32_t* ids, const float* table, float scale,
                       const float* positions, Dropout d, float* out);

// dtable[ids[r], :] += dropout(dout[r, :]) * scale
void embedding_backward(const EmbeddingShape& shape, const int32_t* ids, const float* dout, float scale,
                        Dropout d, float* dtable);

}  // namespace tfm::kernels
