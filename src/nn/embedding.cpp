#include "nn/embedding.h"

#include <cmath>
#include <stdexcept>

#include "kernels/embedding.h"

namespace tfm::nn {

Embedding::Embedding(Param table, const PositionalEncoding& positions, float dropout, const std::string& name)
    : table_(table),
      positions_(positions),
      dropout_(dropout),
      site_(dropout_site(name)),
      scale_(std::sqrt(float(table.value.shape[1]))) {}

Tensor Embedding::forward(StepContext& ctx, const int32_t* ids, int64_t batch, int64_t seq_len,
                          int64_t position_offset) {
  if (position_offset + seq_len > positions_.max_positions())
    throw std::runtime_error("sequence of " + std::to_string(position_offset + seq_len) +
                             " tokens is longer than the model's max_positions " +
                             std::to_string(positions_.max_positions()));
  const int64_t dim = table_.value.shape[1];
  ids_ = ids;
  batch_ = batch;
  seq_len_ = seq_len;
  Tensor out = ctx.workspace.take({batch * seq_len, dim});
  kernels::embedding_forward({batch * seq_len, seq_len, position_offset, dim}, ids, table_.value.data, scale_,
                             positions_.table(), ctx.dropout(dropout_, site_), out.data);
  return out;
}

Tensor Embedding::forward_at(StepContext& ctx, const int32_t* ids, const int32_t* positions, int64_t rows) {
  const int64_t dim = table_.value.shape[1];
  for (int64_t r = 0; r < rows; ++r)
    if (positions[r] >= positions_.max_positions())
      throw std::runtime_error("position " + std::to_string(positions[r]) + " is past the model's max_positions " +
                               std::to_string(positions_.max_positions()));
  Tensor out = ctx.workspace.take({rows, dim});
  kernels::EmbeddingShape shape{rows, 1, 0, dim};
  shape.row_positions = positions;
  kernels::embedding_forward(shape, ids, table_.value.data, scale_, positions_.table(), {}, out.data);
  return out;
}

void Embedding::backward(StepContext& ctx, const Tensor& dout) {
  const int64_t dim = table_.value.shape[1];
  kernels::embedding_backward({batch_ * seq_len_, seq_len_, 0, dim}, ids_, dout.data, scale_,
                              ctx.dropout(dropout_, site_), table_.grad.data);
}

}  // namespace tfm::nn
