// Finite-difference check of the whole model: embeddings, both stacks, generator and the
// label-smoothed cross-entropy, with padding in source and target, dropout on, and tied
// or separate embeddings.
#include <gtest/gtest.h>

#include "kernels/cross_entropy.h"
#include "nn/transformer.h"
#include "support/gradient_check.h"

namespace tfm::nn {
namespace {

Batch padded_batch() {
  // Source = pieces + EOS(3); decoder input = BOS(2) + pieces; target = pieces + EOS; pad 0.
  Batch b;
  b.batch_size = 2;
  b.src_len = 4;
  b.tgt_len = 5;
  b.src_ids = {5, 6, 7, 3, /**/ 8, 3, 0, 0};
  b.src_lengths = {4, 2};
  b.tgt_in_ids = {2, 9, 10, 11, 12, /**/ 2, 4, 0, 0, 0};
  b.tgt_out_ids = {9, 10, 11, 12, 3, /**/ 4, 3, 0, 0, 0};
  b.tgt_lengths = {5, 2};
  return b;
}

struct Variant {
  const char* name;
  bool norm_first;
  bool tie;
};

class TransformerGradient : public ::testing::TestWithParam<Variant> {};

TEST_P(TransformerGradient, MatchesFiniteDifferences) {
  io::ModelConfig c;
  c.vocab_size = 13;
  c.d_model = 8;
  c.nhead = 2;
  c.dim_feedforward = 16;
  c.num_encoder_layers = c.num_decoder_layers = 2;
  c.dropout = 0.1;
  c.attention_dropout = 0.1;
  c.activation_dropout = 0.1;
  c.activation = io::Activation::gelu;  // smooth: the check's steps cross no kinks
  c.norm_first = GetParam().norm_first;
  c.encoder_final_norm = c.decoder_final_norm = GetParam().norm_first;
  c.tie_embeddings = GetParam().tie;
  c.max_positions = 16;
  Transformer model(c);
  model.initialize(5);
  const Batch batch = padded_batch();
  Workspace ws;
  StepContext ctx{ws, true, 11, 1};
  constexpr float kSmoothing = 0.1f;

  auto loss = [&] {
    ws.reset();
    Tensor logits = model.forward(ctx, batch);
    return kernels::cross_entropy(logits.data, batch.tgt_out_ids.data(), logits.rows(), logits.cols(), c.pad_id,
                                  kSmoothing, 0.0f)
        .loss_sum;
  };
  auto grads = [&] {
    model.parameters().zero_grads();
    ws.reset();
    model.forward(ctx, batch);
    model.loss_backward(ctx, batch, kSmoothing, 1.0f);
  };
  std::vector<testing::CheckedTensor> tensors;
  for (const auto& e : model.parameters().entries()) tensors.push_back({e.name, e.param.value, e.param.grad});
  testing::expect_gradients_match(loss, grads, tensors, {.single_elements = 1});
}

INSTANTIATE_TEST_SUITE_P(Variants, TransformerGradient,
                         ::testing::Values(Variant{"PostNormTied", false, true}, Variant{"PreNormUntied", true, false}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CrossEntropyGradient, MatchesFiniteDifferencesAndIgnoresPadding) {
  SplitMix64 rng(3);
  constexpr int64_t kRows = 4, kVocab = 7;
  std::vector<float> logits(kRows * kVocab), grad(kRows * kVocab);
  testing::fill_uniform({logits.data(), {kRows, kVocab}}, rng, 2.0);
  const int32_t targets[kRows] = {3, 0, 6, 1};  // row 1 is padding (ignore id 0)
  auto loss = [&] {
    std::vector<float> copy = logits;
    return kernels::cross_entropy(copy.data(), targets, kRows, kVocab, 0, 0.2f, 0.0f).loss_sum;
  };
  auto grads = [&] {
    grad = logits;
    const auto result = kernels::cross_entropy(grad.data(), targets, kRows, kVocab, 0, 0.2f, 1.0f);
    EXPECT_EQ(result.tokens, 3);
  };
  testing::expect_gradients_match(loss, grads, {{"logits", {logits.data(), {kRows, kVocab}}, {grad.data(), {kRows, kVocab}}}});
  for (int64_t k = 0; k < kVocab; ++k) EXPECT_EQ(grad[kVocab + k], 0.0f);
}

}  // namespace
}  // namespace tfm::nn
