// Cached, one-token-at-a-time decoding must compute what the teacher-forced forward pass
// computes on the whole prefix (the causal mask makes position t independent of later ones).
#include <gtest/gtest.h>

#include "kernels/cross_entropy.h"
#include "nn/transformer.h"

namespace tfm::nn {
namespace {

io::ModelConfig tiny_config(bool norm_first) {
  io::ModelConfig c;
  c.vocab_size = 17;
  c.d_model = 16;
  c.nhead = 4;
  c.dim_feedforward = 24;
  c.num_encoder_layers = 2;
  c.num_decoder_layers = 3;
  c.norm_first = norm_first;
  c.encoder_final_norm = c.decoder_final_norm = norm_first;
  c.max_positions = 32;
  return c;
}

Batch batch_of_two() {
  Batch b;
  b.batch_size = 2;
  b.src_len = 5;
  b.tgt_len = 4;
  b.src_ids = {5, 6, 7, 8, 3, /**/ 9, 3, 0, 0, 0};
  b.src_lengths = {5, 2};
  b.tgt_in_ids = {2, 10, 11, 12, /**/ 2, 13, 14, 15};
  b.tgt_out_ids = {10, 11, 12, 3, /**/ 13, 14, 15, 3};
  b.tgt_lengths = {4, 4};
  return b;
}

class IncrementalDecoding : public ::testing::TestWithParam<bool> {};

TEST_P(IncrementalDecoding, EqualsRecomputingThePrefix) {
  Transformer model(tiny_config(GetParam()));
  model.initialize(9);
  const Batch b = batch_of_two();
  const int64_t vocab = model.config().vocab_size;

  Workspace full_ws;
  StepContext full_ctx{full_ws, false};
  Tensor logits = model.forward(full_ctx, b);
  kernels::log_softmax(logits.data, logits.rows(), logits.cols());

  // As beam search runs it: in inference mode, intermediates given back layer by layer.
  Workspace ws, step_ws;
  StepContext ctx = StepContext::inference(ws), step_ctx = StepContext::inference(step_ws);
  Tensor memory = model.encode(ctx, b.src_ids.data(), b.src_lengths.data(), b.batch_size, b.src_len);
  DecoderCache cache = model.new_decoding();
  const int32_t one_row[2] = {1, 1};
  model.add_to_decoding(ctx, cache, memory, b.src_lengths.data(), b.batch_size, b.src_len, one_row, 8);
  for (int t = 0; t < b.tgt_len; ++t) {
    step_ws.reset();
    const int32_t ids[2] = {b.tgt_in_ids[t], b.tgt_in_ids[b.tgt_len + t]};
    Tensor log_probs = model.decode_step(step_ctx, ids, cache);
    for (int s = 0; s < 2; ++s)
      for (int64_t v = 0; v < vocab; ++v)
        EXPECT_NEAR(log_probs.row(s)[v], logits.row(s * b.tgt_len + t)[v], 1e-4) << "t " << t << " s " << s;
  }
}

// Reordering rows (as beam search does) carries each row's history with it.
TEST_P(IncrementalDecoding, SelectRowsMovesHistory) {
  Transformer model(tiny_config(GetParam()));
  model.initialize(9);
  const Batch b = batch_of_two();
  Workspace ws, step_ws;
  StepContext ctx{ws, false}, step_ctx{step_ws, false};
  Tensor memory = model.encode(ctx, b.src_ids.data(), b.src_lengths.data(), b.batch_size, b.src_len);
  // Two rows per sentence; rows 0,1 read sentence 0 and rows 2,3 sentence 1.
  DecoderCache cache = model.new_decoding();
  const int32_t two_rows[2] = {2, 2};
  model.add_to_decoding(ctx, cache, memory, b.src_lengths.data(), 2, b.src_len, two_rows, 8);
  const int32_t first[4] = {2, 2, 2, 2};
  model.decode_step(step_ctx, first, cache);
  step_ws.reset();
  const int32_t second[4] = {10, 11, 13, 14};
  model.decode_step(step_ctx, second, cache);
  // Keep rows 3 and 0, in that order; then feed both the same token.
  cache.select_rows({3, 0});
  step_ws.reset();
  const int32_t third[2] = {12, 12};
  Tensor reordered = model.decode_step(step_ctx, third, cache);
  std::vector<float> got(reordered.data, reordered.data + reordered.numel());

  // Reference: decode sentence 1 with history (2, 14) and sentence 0 with (2, 10) directly.
  const int32_t lengths[2] = {b.src_lengths[1], b.src_lengths[0]};
  std::vector<int32_t> src(b.src_ids.begin() + b.src_len, b.src_ids.end());
  src.insert(src.end(), b.src_ids.begin(), b.src_ids.begin() + b.src_len);
  Workspace ws2, step_ws2;
  StepContext ctx2{ws2, false}, step_ctx2{step_ws2, false};
  Tensor memory2 = model.encode(ctx2, src.data(), lengths, 2, b.src_len);
  DecoderCache cache2 = model.new_decoding();
  const int32_t one_row[2] = {1, 1};
  model.add_to_decoding(ctx2, cache2, memory2, lengths, 2, b.src_len, one_row, 8);
  const int32_t h1[2] = {2, 2}, h2[2] = {14, 10};
  model.decode_step(step_ctx2, h1, cache2);
  step_ws2.reset();
  model.decode_step(step_ctx2, h2, cache2);
  step_ws2.reset();
  Tensor expected = model.decode_step(step_ctx2, third, cache2);
  for (int64_t i = 0; i < expected.numel(); ++i) EXPECT_NEAR(got[i], expected.data[i], 1e-5) << i;
}

INSTANTIATE_TEST_SUITE_P(Placements, IncrementalDecoding, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "PreNorm" : "PostNorm"; });

}  // namespace
}  // namespace tfm::nn
