#pragma once
// The input of the encoder or decoder stack (paper §3.4-3.5): token embeddings scaled by
// sqrt(d_model), plus positional encoding, then dropout.
#include <cstdint>
#include <string>

#include "nn/positional_encoding.h"
#include "nn/step_context.h"
#include "tensor/tensor.h"

namespace tfm::nn {

class Embedding {
 public:
  Embedding(Param table, const PositionalEncoding& positions, float dropout, const std::string& name);

  // ids [batch, seq_len] -> [batch * seq_len, d_model]; positions start at position_offset.
  Tensor forward(StepContext& ctx, const int32_t* ids, int64_t batch, int64_t seq_len,
                 int64_t position_offset = 0);
  // Inference, one token per row: ids [rows], row r at position positions[r].
  Tensor forward_at(StepContext& ctx, const int32_t* ids, const int32_t* positions, int64_t rows);
  // Adds the gradient of the table rows used in the last forward.
  void backward(StepContext& ctx, const Tensor& dout);

 private:
  Param table_;
  const PositionalEncoding& positions_;
  float dropout_;
  uint32_t site_;
  float scale_;
  // Saved by forward for backward.
  const int32_t* ids_ = nullptr;
  int64_t batch_ = 0, seq_len_ = 0;
};

}  // namespace tfm::nn
