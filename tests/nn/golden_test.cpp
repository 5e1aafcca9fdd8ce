// The model against PyTorch: tests/golden/make_golden.py builds nn.Transformer with the same
// weights and batch (padding on both sides, dropout off), computes in float64, and stores the
// logits, the encoder output, the label-smoothed loss and the gradient of every parameter.
// We must match every one of them.
//
// Error measure: per tensor, max |ours - torch| / max |torch| (the relative error of the
// tensor as a whole; a few gradients, such as the key part of in_proj_bias, are exactly zero
// in exact arithmetic, so element-wise relative errors would be meaningless there).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "io/model_config.h"
#include "io/model_weights.h"
#include "io/safetensors.h"
#include "nn/transformer.h"

namespace tfm::nn {
namespace {

constexpr double kMaxRelativeError = 1e-4;
const std::filesystem::path kGoldenDir = std::filesystem::path(TFM_FIXTURES_DIR) / "golden";

double relative_error(const float* ours, const std::vector<float>& expected) {
  double max_diff = 0.0, max_ref = 0.0;
  for (size_t i = 0; i < expected.size(); ++i) {
    max_diff = std::max(max_diff, std::abs(double(ours[i]) - expected[i]));
    max_ref = std::max(max_ref, std::abs(double(expected[i])));
  }
  return max_diff / std::max(max_ref, 1e-30);
}

std::vector<int32_t> as_int32(const std::vector<int64_t>& v) { return {v.begin(), v.end()}; }

class Golden : public ::testing::TestWithParam<const char*> {};

TEST_P(Golden, MatchesPyTorch) {
  const std::filesystem::path dir = kGoldenDir / GetParam();
  const io::ModelConfig config = io::ModelConfig::load(dir / "config.json");
  Transformer model(config);
  io::load_parameters(dir / "model.safetensors", model.parameters());
  const io::SafetensorsReader expected(dir / "expected.safetensors");

  Batch b;
  const auto src_ids = expected.read_int64("src_ids");
  const auto tgt_in = expected.read_int64("tgt_in_ids");
  b.src_lengths = as_int32(expected.read_int64("src_lengths"));
  b.tgt_lengths = as_int32(expected.read_int64("tgt_lengths"));
  b.batch_size = int(b.src_lengths.size());
  b.src_len = int(src_ids.size()) / b.batch_size;
  b.tgt_len = int(tgt_in.size()) / b.batch_size;
  b.src_ids = as_int32(src_ids);
  b.tgt_in_ids = as_int32(tgt_in);
  b.tgt_out_ids = as_int32(expected.read_int64("tgt_out_ids"));

  Workspace ws;
  StepContext ctx{ws, false};
  Tensor memory = model.encode(ctx, b.src_ids.data(), b.src_lengths.data(), b.batch_size, b.src_len);
  const double memory_error = relative_error(memory.data, expected.read_float32("encoder_output"));
  EXPECT_LT(memory_error, kMaxRelativeError) << "encoder_output";

  model.parameters().zero_grads();
  Tensor logits = model.forward(ctx, b);
  const double logits_error = relative_error(logits.data, expected.read_float32("logits"));
  EXPECT_LT(logits_error, kMaxRelativeError) << "logits";

  const auto result = model.loss_backward(ctx, b, 0.1f, 1.0f / float(b.target_tokens()));
  const double loss = result.loss_sum / double(result.tokens);
  const double expected_loss = expected.read_float32("loss").at(0);
  EXPECT_LT(std::abs(loss - expected_loss) / expected_loss, kMaxRelativeError) << loss << " vs " << expected_loss;

  double worst = 0.0;
  std::string worst_name;
  for (const auto& e : model.parameters().entries()) {
    const double err = relative_error(e.param.grad.data, expected.read_float32("grad." + e.name));
    EXPECT_LT(err, kMaxRelativeError) << "grad." << e.name;
    if (err > worst) worst = err, worst_name = e.name;
  }
  // Inference gives each layer's intermediates back as it goes and stores no attention
  // weights: the same logits.
  Workspace inference_ws;
  StepContext inference = StepContext::inference(inference_ws);
  const double inference_error = relative_error(model.forward(inference, b).data, expected.read_float32("logits"));
  EXPECT_LT(inference_error, kMaxRelativeError) << "logits in inference";

  std::printf("[%s] max relative error: encoder output %.2e, logits %.2e, loss %.2e, gradients %.2e (%s)\n", GetParam(),
              memory_error, logits_error, std::abs(loss - expected_loss) / expected_loss, worst, worst_name.c_str());
}

INSTANTIATE_TEST_SUITE_P(Variants, Golden, ::testing::Values("postnorm", "prenorm"));

}  // namespace
}  // namespace tfm::nn
