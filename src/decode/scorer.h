#pragma once
// Forced decoding: log P(target | source) under the model, the check people run against
// another implementation of the same model.
#include <cstdint>
#include <vector>

#include "nn/transformer.h"

namespace tfm::decode {

// For each pair (piece ids without specials): the sum of the natural-log probabilities of the
// target pieces and EOS, with dropout off and no label smoothing. In input order.
std::vector<double> score_pairs(nn::Transformer& model, const std::vector<std::vector<int32_t>>& sources,
                                const std::vector<std::vector<int32_t>>& targets, int batch_size = 64);

}  // namespace tfm::decode
