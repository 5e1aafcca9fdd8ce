#include "nn/positional_encoding.h"

#include <cmath>

namespace tfm::nn {

PositionalEncoding::PositionalEncoding(int max_positions, int d_model)
    : max_positions_(max_positions), table_(size_t(max_positions) * d_model) {
  for (int pos = 0; pos < max_positions; ++pos) {
    for (int i = 0; 2 * i < d_model; ++i) {
      const double angle = pos / std::pow(10000.0, 2.0 * i / d_model);
      table_[size_t(pos) * d_model + 2 * i] = float(std::sin(angle));
      if (2 * i + 1 < d_model) table_[size_t(pos) * d_model + 2 * i + 1] = float(std::cos(angle));
    }
  }
}

}  // namespace tfm::nn
