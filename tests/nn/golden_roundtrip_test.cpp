// Model files written by tfm load in PyTorch and give PyTorch's outputs: each golden model is
// read into an nn::Transformer, written back with tfm's own writers, and
// tests/golden/make_golden.py --verify loads that copy into its PyTorch reference and compares
// the logits, encoder output and loss with the fixture's expected.safetensors. A copy with one
// weight moved far off must fail the same check, so the check can fail.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>

#include "io/model_config.h"
#include "io/model_weights.h"
#include "nn/transformer.h"
#include "support/python.h"
#include "support/temp_dir.h"

namespace tfm::nn {
namespace {

using tfm::testing::CommandResult;

const std::filesystem::path kGoldenDir = std::filesystem::path(TFM_FIXTURES_DIR) / "golden";
const std::filesystem::path kMakeGolden =
    std::filesystem::path(TFM_FIXTURES_DIR).parent_path() / "golden" / "make_golden.py";

class GoldenRoundTrip : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!python().has_torch) GTEST_SKIP() << python().skip_message();
  }

  static const tfm::testing::TorchPython& python() { return tfm::testing::torch_python(); }

  // Loads the golden variant, lets `edit` change its parameters, saves the model with tfm's
  // writers to a fresh directory and runs --verify on that directory.
  static CommandResult verify_written_copy(const std::function<void(ParameterSet&)>& edit) {
    const std::filesystem::path golden = kGoldenDir / GetParam();
    Transformer model(io::ModelConfig::load(golden / "config.json"));
    io::load_parameters(golden / "model.safetensors", model.parameters());
    edit(model.parameters());

    tfm::testing::TempDir dir;
    model.config().save(dir / "config.json");
    io::save_parameters(dir / "model.safetensors", model.parameters());
    return tfm::testing::run_command({python().interpreter, kMakeGolden.string(), "--verify",
                                      dir.path().string(), "--expected",
                                      (golden / "expected.safetensors").string()});
  }
};

TEST_P(GoldenRoundTrip, PyTorchReproducesTheGoldenOutputsFromTheFilesTfmWrote) {
  const CommandResult verify = verify_written_copy([](ParameterSet&) {});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("logits: max abs diff"), std::string::npos) << verify.output;
}

TEST_P(GoldenRoundTrip, VerifyRejectsACopyWithOnePerturbedWeight) {
  const CommandResult verify = verify_written_copy([](ParameterSet& params) {
    const ParameterSet::Entry* entry = params.find("decoder.layers.1.linear2.weight");
    ASSERT_NE(entry, nullptr);
    entry->param.value.data[0] += 1.0f;  // weights are ~0.2: this changes every logit
  });
  EXPECT_EQ(verify.exit_code, 1) << verify.output;
  EXPECT_NE(verify.output.find("FAIL"), std::string::npos) << verify.output;
}

INSTANTIATE_TEST_SUITE_P(Variants, GoldenRoundTrip, ::testing::Values("postnorm", "prenorm"));

}  // namespace
}  // namespace tfm::nn
