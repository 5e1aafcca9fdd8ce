#pragma once
// What incremental decoding keeps between steps. Generation is autoregressive: each step
// feeds one new token per hypothesis, so every decoder layer caches the keys and values of
// the positions already decoded (self-attention) and, once per sentence, those of the
// encoder output (encoder-decoder attention).
#include <cstdint>
#include <memory>
#include <vector>

namespace tfm::nn {

struct DecoderCache {
  struct Layer {
    // [rows, capacity, 2 d_model]: K | V of each decoded position. Not zeroed: a position is
    // written before it is read, and pages no row reaches are never touched (no memory).
    std::unique_ptr<float[]> self_kv;
    std::vector<float> memory_kv;  // [sentences * source_len, 2 d_model]: K | V of the encoder output
  };

  int64_t d_model = 0;
  int64_t rows = 0;       // hypotheses decoded together (sentences x beams)
  int64_t capacity = 0;   // positions each row has room for
  int64_t length = 0;     // positions decoded so far
  int64_t source_len = 0;
  std::vector<int32_t> source_lengths;  // per sentence
  std::vector<int32_t> source_of_row;   // the sentence each row translates
  std::vector<Layer> layers;

  // Row r becomes old row origin[r], for every layer: beams reorder and finished sentences
  // leave the batch. The encoder side is indexed by sentence and stays as it is.
  void select_rows(const std::vector<int32_t>& origin);

 private:
  std::unique_ptr<float[]> scratch_;  // as big as one layer's self_kv, reused: no allocation per step
};

}  // namespace tfm::nn
