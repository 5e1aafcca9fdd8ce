// The model format against PyTorch itself: a model written by tfm, with the tensors
// docs/model-format.md lists, is loaded by that document's PyTorch snippet into
// torch.nn.Transformer with strict name and shape checking (tests/io/pytorch_load_check.py).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "io/model_config.h"
#include "io/model_weights.h"
#include "support/python.h"
#include "support/temp_dir.h"

namespace tfm::io {
namespace {

using tfm::testing::TempDir;

// Calls add(name, shape) for each tensor of docs/model-format.md's table, written out from the
// table rather than taken from src/nn, so that the document itself is what PyTorch checks.
void for_each_documented_tensor(const ModelConfig& c,
                                const std::function<void(const std::string&, Shape)>& add) {
  const int64_t d = c.d_model, f = c.dim_feedforward, v = c.vocab_size;
  auto linear = [&](const std::string& name, int64_t out, int64_t in) {
    add(name + ".weight", {out, in});
    add(name + ".bias", {out});
  };
  auto norm = [&](const std::string& name) {
    add(name + ".weight", {d});
    add(name + ".bias", {d});
  };
  auto attention = [&](const std::string& name) {
    add(name + ".in_proj_weight", {3 * d, d});
    add(name + ".in_proj_bias", {3 * d});
    linear(name + ".out_proj", d, d);
  };
  add("src_embed.weight", {v, d});
  for (int i = 0; i < c.num_encoder_layers; ++i) {
    const std::string layer = "encoder.layers." + std::to_string(i);
    attention(layer + ".self_attn");
    linear(layer + ".linear1", f, d);
    linear(layer + ".linear2", d, f);
    norm(layer + ".norm1");
    norm(layer + ".norm2");
  }
  if (c.encoder_final_norm) norm("encoder.norm");
  for (int i = 0; i < c.num_decoder_layers; ++i) {
    const std::string layer = "decoder.layers." + std::to_string(i);
    attention(layer + ".self_attn");
    attention(layer + ".multihead_attn");
    linear(layer + ".linear1", f, d);
    linear(layer + ".linear2", d, f);
    norm(layer + ".norm1");
    norm(layer + ".norm2");
    norm(layer + ".norm3");
  }
  if (c.decoder_final_norm) norm("decoder.norm");
  if (!c.tie_embeddings) {
    add("tgt_embed.weight", {v, d});
    add("generator.weight", {v, d});
  }
  add("generator.bias", {v});
}

int64_t documented_parameter_count(const ModelConfig& c) {
  int64_t n = 0;
  for_each_documented_tensor(c, [&](const std::string&, Shape shape) { n += shape.numel(); });
  return n;
}

// Values exact in float32 and distinct per tensor; pytorch_load_check.py recomputes them.
void fill_with_name_pattern(ParameterSet& params) {
  for (const ParameterSet::Entry& e : params.entries()) {
    int h = 0;
    for (std::size_t j = 0; j < e.name.size(); ++j)
      h += static_cast<int>(j + 1) * static_cast<unsigned char>(e.name[j]);
    for (int64_t i = 0; i < e.param.value.numel(); ++i)
      e.param.value.data[i] =
          static_cast<float>(h % 4096) / 4096.0f + static_cast<float>(i) / 1024.0f;
  }
}

TEST(PyTorchInterop, PresetSizesMatchTheDocumentedParameterCounts) {
  // The counts in docs/model-format.md, computed there with torch.nn.Transformer.
  EXPECT_EQ(documented_parameter_count(ModelConfig::preset("S")), 7'585'600);
  EXPECT_EQ(documented_parameter_count(ModelConfig::preset("B")), 48'242'496);
}

TEST(PyTorchInterop, DocumentedSnippetLoadsWhatTfmWrites) {
  const tfm::testing::TorchPython& python = tfm::testing::torch_python();
  if (!python.has_torch) GTEST_SKIP() << python.skip_message();

  ModelConfig tied_post_norm;
  tied_post_norm.vocab_size = 11;
  tied_post_norm.d_model = 8;
  tied_post_norm.nhead = 2;
  tied_post_norm.num_encoder_layers = 2;
  tied_post_norm.num_decoder_layers = 1;
  tied_post_norm.dim_feedforward = 16;
  tied_post_norm.tie_embeddings = true;
  tied_post_norm.max_positions = 16;
  ModelConfig untied_pre_norm = tied_post_norm;
  untied_pre_norm.tie_embeddings = false;
  untied_pre_norm.norm_first = untied_pre_norm.encoder_final_norm =
      untied_pre_norm.decoder_final_norm = true;
  untied_pre_norm.activation = Activation::gelu;
  untied_pre_norm.pad_id = 10;  // away from the ids the check uses for pieces

  const std::filesystem::path tests_dir = std::filesystem::path(TFM_FIXTURES_DIR).parent_path();
  std::vector<std::string> args = {python.interpreter,
                                   (tests_dir / "io" / "pytorch_load_check.py").string(),
                                   (tests_dir.parent_path() / "docs" / "model-format.md").string()};
  TempDir dir;
  for (const auto& [name, config] : {std::pair{"tied_post_norm", tied_post_norm},
                                     std::pair{"untied_pre_norm", untied_pre_norm}}) {
    const std::filesystem::path model_dir = dir / name;
    std::filesystem::create_directory(model_dir);
    config.save(model_dir / "config.json");
    ParameterSet params;
    for_each_documented_tensor(
        config, [&](const std::string& tensor, Shape shape) { params.add(tensor, shape); });
    fill_with_name_pattern(params);
    save_parameters(model_dir / "model.safetensors", params);
    args.push_back(model_dir.string());
  }
  const tfm::testing::CommandResult check = tfm::testing::run_command(args);
  EXPECT_EQ(check.exit_code, 0) << tfm::testing::shell_command(args) << "\n" << check.output;
}

}  // namespace
}  // namespace tfm::io
