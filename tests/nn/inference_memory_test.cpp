// Inference holds one layer's activations at a time, training all of them: the workspace a
// forward pass needs grows with depth only when backward will follow.
#include <gtest/gtest.h>

#include "nn/transformer.h"

namespace tfm::nn {
namespace {

io::ModelConfig deep_config() {
  io::ModelConfig c;
  c.vocab_size = 32;  // small, so the logits do not hide the layers' share
  c.d_model = 64;
  c.nhead = 4;
  c.dim_feedforward = 256;
  c.num_encoder_layers = c.num_decoder_layers = 6;
  c.max_positions = 256;
  return c;
}

Batch batch(int sentences, int len) {
  Batch b;
  b.batch_size = sentences;
  b.src_len = b.tgt_len = len;
  b.src_ids.assign(size_t(sentences * len), 5);
  b.tgt_in_ids.assign(size_t(sentences * len), 6);
  b.tgt_out_ids.assign(size_t(sentences * len), 7);
  b.src_lengths.assign(size_t(sentences), len);
  b.tgt_lengths.assign(size_t(sentences), len);
  return b;
}

size_t workspace_bytes(Transformer& model, const Batch& b, bool keep_activations) {
  Workspace ws;
  StepContext ctx = keep_activations ? StepContext{ws, false} : StepContext::inference(ws);
  for (int pass = 0; pass < 2; ++pass) {  // the second pass runs in the one merged block
    ws.reset();
    model.forward(ctx, b);
  }
  return ws.peak_bytes();
}

TEST(InferenceMemory, OneLayerAtATime) {
  Transformer model(deep_config());
  model.initialize(3);
  const Batch b = batch(4, 64);
  const size_t training = workspace_bytes(model, b, true);
  const size_t inference = workspace_bytes(model, b, false);
  // Twelve layers' activations and attention weights against about two layers' worth.
  EXPECT_LT(inference * 4, training) << "inference " << inference << " bytes, training " << training;
}

TEST(InferenceMemory, GrowsLinearlyWithLength) {
  Transformer model(deep_config());
  model.initialize(3);
  // Attention weights are never stored in inference, so four times the length takes about
  // four times the memory; training keeps [heads, len, len] weights, which grow sixteenfold.
  const size_t short_pass = workspace_bytes(model, batch(1, 64), false);
  const size_t long_pass = workspace_bytes(model, batch(1, 256), false);
  EXPECT_LT(double(long_pass), 4.4 * double(short_pass)) << short_pass << " -> " << long_pass;
  const size_t short_training = workspace_bytes(model, batch(1, 64), true);
  const size_t long_training = workspace_bytes(model, batch(1, 256), true);
  EXPECT_GT(double(long_training), 5.5 * double(short_training)) << short_training << " -> " << long_training;
}

}  // namespace
}  // namespace tfm::nn
