#pragma once
// Where a model looks when it translates one sentence: the attention weights of every layer
// for a sentence pair, from one teacher-forced forward pass with dropout off, and their
// heatmap figure (one row of panels per layer: each head, then the heads' average).
// Used by `tfm attention`.
#include <cstdint>
#include <span>
#include <vector>

#include "nn/transformer.h"
#include "text/tokenizer.h"
#include "viz/attention_heatmap.h"

namespace tfm::app {

// One attention sublayer's weights: each query position's distribution over the keys.
struct AttentionMap {
  int64_t rows = 0;                      // queries
  int64_t columns = 0;                   // keys
  std::vector<std::vector<float>> heads;  // [heads][rows * columns], row-major
  std::vector<float> average;            // the heads' mean, [rows * columns]
};

struct SentenceAttention {
  std::vector<int32_t> source;         // encoder positions: source pieces + EOS
  std::vector<int32_t> decoder_input;  // decoder positions' inputs: BOS + target pieces
  std::vector<int32_t> target;         // what each decoder position predicts: target pieces + EOS
  std::vector<AttentionMap> encoder_self;  // per encoder layer: source x source
  std::vector<AttentionMap> decoder_self;  // per decoder layer: target x target, causal
  std::vector<AttentionMap> cross;         // per decoder layer: target x source
};

// The attention of `model` on (source pieces + EOS, BOS + target pieces), piece ids without
// specials. Throws std::invalid_argument when either side is longer than the model's
// positions allow.
SentenceAttention extract_attention(nn::Transformer& model, std::span<const int32_t> source_pieces,
                                    std::span<const int32_t> target_pieces);

// Panels labelled with the tokenizer's pieces: one row per decoder layer's cross-attention;
// with `include_self_attention`, first one row per encoder layer's self-attention and one per
// decoder layer's masked self-attention. Rows of every panel are query positions; a decoder
// position is labelled with the piece it predicts, and as a key of decoder self-attention
// with its input piece (BOS or the piece before), which is what that key holds.
viz::AttentionFigure attention_figure(const SentenceAttention& attention, const text::Tokenizer& tokenizer,
                                      bool include_self_attention);

}  // namespace tfm::app
