#include "io/model_weights.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "support/error_message.h"
#include "support/temp_dir.h"

namespace tfm::io {
namespace {

using tfm::testing::expect_mentions;
using tfm::testing::TempDir;

// Entries with distinct values everywhere, so that a swapped or shifted tensor shows.
void fill_distinct(ParameterSet& params) {
  float next = 1.0f;
  for (const ParameterSet::Entry& e : params.entries())
    for (int64_t i = 0; i < e.param.value.numel(); ++i) e.param.value.data[i] = next++ * 0.25f;
}

void fill(ParameterSet& params, float value) {
  for (const ParameterSet::Entry& e : params.entries())
    for (int64_t i = 0; i < e.param.value.numel(); ++i) e.param.value.data[i] = value;
}

std::vector<float> values(const ParameterSet& params, const std::string& name) {
  const Tensor& t = params.find(name)->param.value;
  return std::vector<float>(t.data, t.data + t.numel());
}

void add_small_model(ParameterSet& params) {
  params.add("src_embed.weight", {5, 4});
  params.add("encoder.layers.0.norm1.weight", {4});
  params.add("encoder.layers.0.linear1.weight", {6, 4});
  params.add("generator.bias", {5});
}

TEST(ModelWeights, RoundTripKeepsNamesShapesValuesAndMetadata) {
  TempDir dir;
  ParameterSet saved;
  add_small_model(saved);
  fill_distinct(saved);
  save_parameters(dir / "model.safetensors", saved, {{"step", "100"}});

  const SafetensorsReader file(dir / "model.safetensors");
  ASSERT_EQ(file.tensors().size(), 4u);
  EXPECT_EQ(file.tensors()[0].name, "src_embed.weight");  // in the set's order
  EXPECT_EQ(file.tensors()[2].shape, (std::vector<int64_t>{6, 4}));
  EXPECT_EQ(file.metadata().at("step"), "100");

  ParameterSet loaded;
  add_small_model(loaded);
  load_parameters(dir / "model.safetensors", loaded);
  for (const ParameterSet::Entry& e : saved.entries())
    EXPECT_EQ(values(loaded, e.name), values(saved, e.name)) << e.name;
}

TEST(ModelWeights, LoadsHalfPrecisionFiles) {
  TempDir dir;
  const std::vector<uint16_t> halves = {0x3c00, 0xc000, 0x3800};  // 1, -2, 0.5
  write_safetensors(dir / "half.safetensors", {{"w", Dtype::F16, {3}, halves.data()}});
  ParameterSet params;
  params.add("w", {3});
  load_parameters(dir / "half.safetensors", params);
  EXPECT_EQ(values(params, "w"), (std::vector<float>{1.0f, -2.0f, 0.5f}));
}

// Writes `file_set` to a file, loads it into a set shaped like add_small_model() and expects
// an error naming the file and `mentions`, with the set untouched.
void expect_rejected(const ParameterSet& file_set, std::initializer_list<std::string> mentions) {
  TempDir dir;
  const std::string path = (dir / "model.safetensors").string();
  save_parameters(path, file_set);
  ParameterSet model;
  add_small_model(model);
  fill(model, 42.0f);
  try {
    load_parameters(path, model);
    ADD_FAILURE() << "accepted";
  } catch (const FormatError& e) {
    expect_mentions(e.what(), {path});
    expect_mentions(e.what(), mentions);
  }
  for (const ParameterSet::Entry& e : model.entries())
    EXPECT_EQ(values(model, e.name), std::vector<float>(e.param.value.numel(), 42.0f))
        << e.name << " was modified";
}

TEST(ModelWeights, MissingTensorIsAnError) {
  ParameterSet file_set;
  file_set.add("src_embed.weight", {5, 4});
  file_set.add("encoder.layers.0.norm1.weight", {4});
  file_set.add("encoder.layers.0.linear1.weight", {6, 4});
  expect_rejected(file_set, {"tensor \"generator.bias\" is missing"});
}

TEST(ModelWeights, ExtraTensorIsAnError) {
  ParameterSet file_set;
  add_small_model(file_set);
  file_set.add("tgt_embed.weight", {5, 4});
  expect_rejected(file_set, {"tensor \"tgt_embed.weight\" is not a parameter of this model"});
}

TEST(ModelWeights, ShapeMismatchNamesBothShapes) {
  ParameterSet file_set;
  file_set.add("src_embed.weight", {5, 4});
  file_set.add("encoder.layers.0.norm1.weight", {4});
  file_set.add("encoder.layers.0.linear1.weight", {4, 6});
  file_set.add("generator.bias", {5});
  expect_rejected(file_set, {"tensor \"encoder.layers.0.linear1.weight\"",
                             "shape [4, 6] in the file", "expected [6, 4]"});
}

TEST(ModelWeights, NonFiniteValueIsAnErrorAndNothingIsLoaded) {
  ParameterSet file_set;
  add_small_model(file_set);
  fill_distinct(file_set);
  file_set.find("generator.bias")->param.value.data[3] = std::numeric_limits<float>::quiet_NaN();
  expect_rejected(file_set, {"tensor \"generator.bias\"", "element [3]", "nan"});
}

TEST(ModelWeights, IntegerTensorIsAnError) {
  TempDir dir;
  const std::string path = (dir / "model.safetensors").string();
  const std::vector<int64_t> ints = {1, 2, 3};
  write_safetensors(path, {{"w", Dtype::I64, {3}, ints.data()}});
  ParameterSet params;
  params.add("w", {3});
  try {
    load_parameters(path, params);
    FAIL();
  } catch (const FormatError& e) {
    expect_mentions(e.what(), {path, "\"w\"", "I64"});
  }
}

}  // namespace
}  // namespace tfm::io
