#pragma once
// Sinusoidal positional encoding (paper §3.5):
//   PE(pos, 2i)   = sin(pos / 10000^(2i / d_model))
//   PE(pos, 2i+1) = cos(pos / 10000^(2i / d_model))
// Tabulated once in double precision, stored as float.
#include <vector>

#include "tensor/tensor.h"

namespace tfm::nn {

class PositionalEncoding {
 public:
  PositionalEncoding(int max_positions, int d_model);
  // [max_positions, d_model]
  const float* table() const { return table_.data(); }
  int max_positions() const { return max_positions_; }

 private:
  int max_positions_;
  std::vector<float> table_;
};

}  // namespace tfm::nn
