// Finite-difference gradient checks of every layer, with dropout on where the layer has it
// (its masks are a pure function of the step, so the loss is a deterministic function of
// the weights and the check is exact).
#include <gtest/gtest.h>

#include <memory>

#include "nn/add_norm.h"
#include "nn/decoder_layer.h"
#include "nn/embedding.h"
#include "nn/encoder_layer.h"
#include "nn/feed_forward.h"
#include "nn/layer_norm.h"
#include "nn/linear.h"
#include "nn/multi_head_attention.h"
#include "support/gradient_check.h"

namespace tfm::nn {
namespace {

using testing::CheckedTensor;
using testing::expect_gradients_match;
using testing::fill_uniform;
using testing::weighted_sum;

constexpr int64_t kBatch = 3, kLen = 5, kSrcLen = 4, kModel = 8, kHeads = 2;
const int32_t kLengths[kBatch] = {5, 3, 1};
const int32_t kSrcLengths[kBatch] = {4, 2, 3};

// A layer under test: its parameters, one or more inputs, and a random output weighting.
struct Harness {
  ParameterSet params;
  Workspace ws;
  StepContext ctx{ws, true, 7, 3};
  SplitMix64 rng{42};
  std::vector<std::unique_ptr<float[]>> buffers;

  // An input tensor with its own gradient buffer.
  CheckedTensor input(const std::string& name, Shape shape) {
    buffers.push_back(std::make_unique<float[]>(shape.numel()));
    buffers.push_back(std::make_unique<float[]>(shape.numel()));
    CheckedTensor t{name, {buffers[buffers.size() - 2].get(), shape}, {buffers.back().get(), shape}};
    fill_uniform(t.value, rng);
    return t;
  }
  // Every parameter, randomised (LayerNorm weights around 1 so normalisation stays typical).
  std::vector<CheckedTensor> randomised_params() {
    std::vector<CheckedTensor> out;
    for (const auto& e : params.entries()) {
      fill_uniform(e.param.value, rng, 0.5);
      if (e.name.find("norm") != std::string::npos && e.name.ends_with("weight"))
        for (int64_t i = 0; i < e.param.value.numel(); ++i) e.param.value.data[i] += 1.0f;
      out.push_back({e.name, e.param.value, e.param.grad});
    }
    return out;
  }
  std::vector<float> output_weights(int64_t n) {
    std::vector<float> r(n);
    for (float& x : r) x = float(2.0 * rng.uniform01() - 1.0);
    return r;
  }
};

void copy_into(const Tensor& src, const Tensor& dst) { std::copy(src.data, src.data + src.numel(), dst.data); }

TEST(GradientCheck, Linear) {
  Harness h;
  Linear linear(h.params.add("w", {6, kModel}), h.params.add("b", {6}));
  CheckedTensor x = h.input("x", {7, kModel});
  auto tensors = h.randomised_params();
  const auto r = h.output_weights(7 * 6);
  auto loss = [&] { h.ws.reset(); return weighted_sum(linear.forward(h.ctx, x.value), r); };
  auto grads = [&] {
    h.params.zero_grads();
    h.ws.reset();
    linear.forward(h.ctx, x.value);
    Tensor dy = h.ws.take({7, 6});
    std::copy(r.begin(), r.end(), dy.data);
    copy_into(linear.backward(h.ctx, x.value, dy), x.grad);
  };
  tensors.push_back(x);
  expect_gradients_match(loss, grads, tensors);
}

class FeedForwardGradient : public ::testing::TestWithParam<kernels::Activation> {};

TEST_P(FeedForwardGradient, MatchesFiniteDifferences) {
  Harness h;
  FeedForward ff(h.params, "ff", kModel, 16, GetParam(), 0.2f);
  CheckedTensor x = h.input("x", {kBatch * kLen, kModel});
  auto tensors = h.randomised_params();
  const auto r = h.output_weights(x.value.numel());
  auto loss = [&] { h.ws.reset(); return weighted_sum(ff.forward(h.ctx, x.value), r); };
  auto grads = [&] {
    h.params.zero_grads();
    h.ws.reset();
    ff.forward(h.ctx, x.value);
    Tensor dy = h.ws.take(x.value.shape);
    std::copy(r.begin(), r.end(), dy.data);
    copy_into(ff.backward(h.ctx, dy), x.grad);
  };
  tensors.push_back(x);
  expect_gradients_match(loss, grads, tensors);
}

INSTANTIATE_TEST_SUITE_P(Activations, FeedForwardGradient,
                         ::testing::Values(kernels::Activation::ReLU, kernels::Activation::GELU));

TEST(GradientCheck, LayerNorm) {
  Harness h;
  LayerNorm norm(h.params, "norm", kModel, 1e-5f);
  CheckedTensor x = h.input("x", {6, kModel});
  auto tensors = h.randomised_params();
  const auto r = h.output_weights(x.value.numel());
  auto loss = [&] { h.ws.reset(); return weighted_sum(norm.forward(h.ctx, x.value), r); };
  auto grads = [&] {
    h.params.zero_grads();
    h.ws.reset();
    norm.forward(h.ctx, x.value);
    Tensor dy = h.ws.take(x.value.shape);
    std::copy(r.begin(), r.end(), dy.data);
    norm.backward(h.ctx, dy, x.grad, false);
  };
  tensors.push_back(x);
  expect_gradients_match(loss, grads, tensors);
}

class AddNormGradient : public ::testing::TestWithParam<bool> {};

// The block around a stand-in sub-layer s = x * x (elementwise), so the sub-layer-input
// path carries a gradient that depends on the norm placement.
TEST_P(AddNormGradient, MatchesFiniteDifferences) {
  const bool norm_first = GetParam();
  Harness h;
  AddNorm block(h.params, "norm1", "dropout1", kModel, 1e-5f, 0.25f, norm_first);
  CheckedTensor x = h.input("x", {6, kModel});
  auto tensors = h.randomised_params();
  const auto r = h.output_weights(x.value.numel());
  Tensor sub_in;
  auto forward = [&] {
    h.ws.reset();
    sub_in = block.sublayer_input(h.ctx, x.value);
    Tensor s = h.ws.take(sub_in.shape);
    for (int64_t i = 0; i < s.numel(); ++i) s.data[i] = sub_in.data[i] * sub_in.data[i];
    return block.output(h.ctx, x.value, s);
  };
  auto loss = [&] { return weighted_sum(forward(), r); };
  auto grads = [&] {
    h.params.zero_grads();
    forward();
    Tensor dy = h.ws.take(x.value.shape);
    std::copy(r.begin(), r.end(), dy.data);
    auto [dx, ds] = block.output_backward(h.ctx, dy);
    Tensor dsub_in = h.ws.take(ds.shape);
    for (int64_t i = 0; i < ds.numel(); ++i) dsub_in.data[i] = 2.0f * sub_in.data[i] * ds.data[i];
    block.sublayer_input_backward(h.ctx, dsub_in, dx);
    copy_into(dx, x.grad);
  };
  tensors.push_back(x);
  expect_gradients_match(loss, grads, tensors);
}

INSTANTIATE_TEST_SUITE_P(Placements, AddNormGradient, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "PreNorm" : "PostNorm"; });

TEST(GradientCheck, Embedding) {
  Harness h;
  PositionalEncoding positions(16, kModel);
  Param table = h.params.add("embed.weight", {11, kModel});
  Embedding embedding(table, positions, 0.3f, "embed.dropout");
  auto tensors = h.randomised_params();
  const int32_t ids[kBatch * kLen] = {1, 4, 4, 7, 10, 0, 2, 2, 2, 9, 3, 5, 6, 1, 8};
  const auto r = h.output_weights(kBatch * kLen * kModel);
  auto loss = [&] { h.ws.reset(); return weighted_sum(embedding.forward(h.ctx, ids, kBatch, kLen, 2), r); };
  auto grads = [&] {
    h.params.zero_grads();
    h.ws.reset();
    Tensor out = embedding.forward(h.ctx, ids, kBatch, kLen, 2);
    Tensor dy = h.ws.take(out.shape);
    std::copy(r.begin(), r.end(), dy.data);
    embedding.backward(h.ctx, dy);
  };
  expect_gradients_match(loss, grads, tensors);
}

class SelfAttentionGradient : public ::testing::TestWithParam<bool> {};

TEST_P(SelfAttentionGradient, MatchesFiniteDifferences) {
  Harness h;
  MultiHeadAttention attention(h.params, "self_attn", kModel, kHeads, 0.2f);
  CheckedTensor x = h.input("x", {kBatch * kLen, kModel});
  auto tensors = h.randomised_params();
  const auto r = h.output_weights(x.value.numel());
  const AttentionMask mask{kLengths, GetParam()};
  auto loss = [&] { h.ws.reset(); return weighted_sum(attention.forward_self(h.ctx, x.value, kBatch, mask), r); };
  auto grads = [&] {
    h.params.zero_grads();
    h.ws.reset();
    attention.forward_self(h.ctx, x.value, kBatch, mask);
    Tensor dy = h.ws.take(x.value.shape);
    std::copy(r.begin(), r.end(), dy.data);
    copy_into(attention.backward_self(h.ctx, dy), x.grad);
  };
  tensors.push_back(x);
  expect_gradients_match(loss, grads, tensors);
}

INSTANTIATE_TEST_SUITE_P(Masks, SelfAttentionGradient, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Causal" : "PaddingOnly"; });

TEST(GradientCheck, EncoderDecoderAttention) {
  Harness h;
  MultiHeadAttention attention(h.params, "multihead_attn", kModel, kHeads, 0.2f);
  CheckedTensor x = h.input("x", {kBatch * kLen, kModel});
  CheckedTensor memory = h.input("memory", {kBatch * kSrcLen, kModel});
  auto tensors = h.randomised_params();
  const auto r = h.output_weights(x.value.numel());
  const AttentionMask mask{kSrcLengths, false};
  auto loss = [&] {
    h.ws.reset();
    return weighted_sum(attention.forward_cross(h.ctx, x.value, memory.value, kBatch, mask), r);
  };
  auto grads = [&] {
    h.params.zero_grads();
    h.ws.reset();
    attention.forward_cross(h.ctx, x.value, memory.value, kBatch, mask);
    Tensor dy = h.ws.take(x.value.shape);
    std::copy(r.begin(), r.end(), dy.data);
    std::fill_n(memory.grad.data, memory.grad.numel(), 0.0f);
    copy_into(attention.backward_cross(h.ctx, dy, memory.grad), x.grad);
  };
  tensors.push_back(x);
  tensors.push_back(memory);
  expect_gradients_match(loss, grads, tensors);
}

io::ModelConfig small_config(bool norm_first) {
  io::ModelConfig c;
  c.vocab_size = 13;
  c.d_model = kModel;
  c.nhead = kHeads;
  c.dim_feedforward = 16;
  c.num_encoder_layers = c.num_decoder_layers = 2;
  c.dropout = 0.1;
  c.attention_dropout = 0.15;
  c.activation_dropout = 0.2;
  // Smooth, so that the +-h steps of the check cross no kinks (ReLU is checked on its own).
  c.activation = io::Activation::gelu;
  c.norm_first = norm_first;
  c.encoder_final_norm = c.decoder_final_norm = norm_first;
  c.max_positions = 32;
  return c;
}

class LayerGradient : public ::testing::TestWithParam<bool> {};

TEST_P(LayerGradient, EncoderLayer) {
  Harness h;
  EncoderLayer layer(h.params, "encoder.layers.0", small_config(GetParam()));
  CheckedTensor x = h.input("x", {kBatch * kLen, kModel});
  auto tensors = h.randomised_params();
  const auto r = h.output_weights(x.value.numel());
  const AttentionMask mask{kLengths, false};
  auto loss = [&] { h.ws.reset(); return weighted_sum(layer.forward(h.ctx, x.value, kBatch, mask), r); };
  auto grads = [&] {
    h.params.zero_grads();
    h.ws.reset();
    layer.forward(h.ctx, x.value, kBatch, mask);
    Tensor dy = h.ws.take(x.value.shape);
    std::copy(r.begin(), r.end(), dy.data);
    copy_into(layer.backward(h.ctx, dy), x.grad);
  };
  tensors.push_back(x);
  expect_gradients_match(loss, grads, tensors);
}

TEST_P(LayerGradient, DecoderLayer) {
  Harness h;
  DecoderLayer layer(h.params, "decoder.layers.0", small_config(GetParam()));
  CheckedTensor x = h.input("x", {kBatch * kLen, kModel});
  CheckedTensor memory = h.input("memory", {kBatch * kSrcLen, kModel});
  auto tensors = h.randomised_params();
  const auto r = h.output_weights(x.value.numel());
  const AttentionMask self_mask{kLengths, true}, memory_mask{kSrcLengths, false};
  auto loss = [&] {
    h.ws.reset();
    return weighted_sum(layer.forward(h.ctx, x.value, memory.value, kBatch, self_mask, memory_mask), r);
  };
  auto grads = [&] {
    h.params.zero_grads();
    h.ws.reset();
    layer.forward(h.ctx, x.value, memory.value, kBatch, self_mask, memory_mask);
    Tensor dy = h.ws.take(x.value.shape);
    std::copy(r.begin(), r.end(), dy.data);
    std::fill_n(memory.grad.data, memory.grad.numel(), 0.0f);
    copy_into(layer.backward(h.ctx, dy, memory.grad), x.grad);
  };
  tensors.push_back(x);
  tensors.push_back(memory);
  expect_gradients_match(loss, grads, tensors);
}

INSTANTIATE_TEST_SUITE_P(Placements, LayerGradient, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "PreNorm" : "PostNorm"; });

}  // namespace
}  // namespace tfm::nn
