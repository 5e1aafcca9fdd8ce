#pragma once
// Model FLOPs, counted the standard way (as for MFU in the PaLM paper, appendix B): the
// multiply-adds of every matrix product of the forward pass at 2 FLOPs each, attention
// scores and weighted sums included (causal masking not discounted); a training step
// counts three times the forward (backward = 2x forward). Elementwise work is not counted.
//
// Per encoder layer, with N = batch * src_len source tokens:
//   Q,K,V 6 N d^2 + scores and sum 4 batch src_len^2 d + output 2 N d^2 + FFN 4 N d d_ff
// Per decoder layer, with M = batch * tgt_len target tokens:
//   self-attention 8 M d^2 + 4 batch tgt_len^2 d
//   encoder-decoder: Q and output 4 M d^2, K,V 4 N d^2, scores and sum 4 batch tgt_len src_len d
//   FFN 4 M d d_ff
// Generator: 2 M d vocab.
#include <cstdint>

#include "io/model_config.h"

namespace tfm::train {

double forward_flops(const io::ModelConfig& config, int64_t batch, int64_t src_len, int64_t tgt_len);

}  // namespace tfm::train
