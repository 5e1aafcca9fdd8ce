#include "train/checkpoint_average.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/error_message.h"
#include "support/files.h"
#include "support/temp_dir.h"

namespace tfm::train {
namespace {

namespace fs = std::filesystem;
using tfm::testing::error_of;
using tfm::testing::TempDir;

struct NamedValues {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;
};

fs::path write_weights(const fs::path& path, const std::vector<NamedValues>& tensors) {
  std::vector<io::TensorToWrite> out;
  for (const NamedValues& t : tensors) out.push_back({t.name, io::Dtype::F32, t.shape, t.values.data()});
  io::write_safetensors(path, out);
  return path;
}

TEST(AverageWeightFiles, ElementWiseMeanInDoubleRoundedOnce) {
  TempDir dir;
  const std::vector<fs::path> inputs = {
      write_weights(dir.path() / "1.safetensors", {{"w", {2, 2}, {1, 2, 3, 4}}, {"b", {3}, {1e8f, 0.5f, -2}}}),
      write_weights(dir.path() / "2.safetensors", {{"w", {2, 2}, {2, 4, 6, 8}}, {"b", {3}, {1, 0.25f, -2}}}),
      // Tensors in another order: matched by name.
      write_weights(dir.path() / "3.safetensors", {{"b", {3}, {-1e8f, 0.125f, -2}}, {"w", {2, 2}, {4, 1, 0, -4}}}),
  };
  const fs::path out = dir.path() / "average.safetensors";
  average_weight_files(inputs, out, {{"averaged_checkpoints", "1 2 3"}});

  const io::SafetensorsReader reader(out);
  ASSERT_EQ(reader.tensors().size(), 2u);
  EXPECT_EQ(reader.tensors()[0].name, "w");  // the first file's order
  EXPECT_EQ(reader.tensors()[0].dtype, io::Dtype::F32);
  EXPECT_EQ(reader.tensors()[0].shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(reader.tensors()[1].shape, (std::vector<int64_t>{3}));
  // Sums by hand: w 7, 7, 9, 8; b 1 (1e8 + 1 - 1e8: exact in double, 0 in float), 0.875, -6.
  EXPECT_EQ(reader.read_float32("w"), (std::vector<float>{float(7.0 / 3), float(7.0 / 3), 3.0f, float(8.0 / 3)}));
  EXPECT_EQ(reader.read_float32("b"), (std::vector<float>{float(1.0 / 3), float(0.875 / 3), -2.0f}));
  EXPECT_EQ(reader.metadata().at("averaged_checkpoints"), "1 2 3");
}

TEST(AverageWeightFiles, OneFileIsItsOwnAverageAndOutputMayBeAnInput) {
  TempDir dir;
  const fs::path a = write_weights(dir.path() / "a.safetensors", {{"w", {2}, {0.1f, -3.7f}}});
  const fs::path b = write_weights(dir.path() / "b.safetensors", {{"w", {2}, {0.3f, 3.7f}}});
  average_weight_files({a}, dir.path() / "copy.safetensors");
  EXPECT_EQ(io::SafetensorsReader(dir.path() / "copy.safetensors").read_float32("w"),
            (std::vector<float>{0.1f, -3.7f}));
  average_weight_files({a, b}, a);
  EXPECT_EQ(io::SafetensorsReader(a).read_float32("w"),
            (std::vector<float>{float((double(0.1f) + double(0.3f)) / 2), 0.0f}));
}

TEST(AverageWeightFiles, MismatchesNameFileAndTensorAndLeaveTheOutputAlone) {
  TempDir dir;
  const fs::path first = write_weights(dir.path() / "first.safetensors", {{"w", {2, 3}, std::vector<float>(6, 1)},
                                                                          {"b", {3}, {1, 2, 3}}});
  const fs::path out = dir.path() / "model.safetensors";
  write_weights(out, {{"old", {1}, {42}}});
  const std::string old_bytes = testing::read_bytes(out);
  struct Case {
    std::vector<NamedValues> tensors;
    std::string expected;  // after "<file>: "
  };
  const Case cases[] = {
      {{{"w", {3, 2}, std::vector<float>(6, 1)}, {"b", {3}, {1, 2, 3}}},
       "tensor \"w\" has shape [3, 2], but [2, 3] in " + first.string()},
      {{{"w", {2, 3}, std::vector<float>(6, 1)}},
       "tensor \"b\" is missing; " + first.string() + " has it"},
      {{{"w", {2, 3}, std::vector<float>(6, 1)}, {"b", {3}, {1, 2, 3}}, {"extra", {1}, {0}}},
       "tensor \"extra\" is not in " + first.string()},
  };
  for (const Case& c : cases) {
    const fs::path other = write_weights(dir.path() / "other.safetensors", c.tensors);
    EXPECT_EQ(error_of([&] { average_weight_files({first, other}, out); }), other.string() + ": " + c.expected);
    EXPECT_EQ(error_of([&] { average_weight_files({first, first, other}, out); }), other.string() + ": " + c.expected);
    EXPECT_EQ(testing::read_bytes(out), old_bytes);
  }
  const std::vector<std::string> left = [&] {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir.path())) names.push_back(e.path().filename().string());
    return names;
  }();
  EXPECT_EQ(left.size(), 3u) << "no temporary file left behind";
}

TEST(AverageWeightFiles, UnreadableInputIsNamed) {
  TempDir dir;
  const fs::path first = write_weights(dir.path() / "first.safetensors", {{"w", {1}, {1}}});
  const fs::path missing = dir.path() / "missing.safetensors";
  EXPECT_NE(error_of([&] { average_weight_files({first, missing}, dir.path() / "out.safetensors"); })
                .find(missing.string()),
            std::string::npos);
}

TEST(LastCheckpointWeights, NewestOnesOldestFirst) {
  TempDir dir;
  for (const char* name : {"step-000000300", "step-000001000", "step-000000200", "step-000000400"})
    fs::create_directories(dir.path() / "checkpoints" / name);
  const fs::path root = dir.path() / "checkpoints";
  EXPECT_EQ(last_checkpoint_weights(dir.path(), 3),
            (std::vector<fs::path>{root / "step-000000300" / "model.safetensors",
                                   root / "step-000000400" / "model.safetensors",
                                   root / "step-000001000" / "model.safetensors"}));
  EXPECT_EQ(last_checkpoint_weights(dir.path(), 4).size(), 4u);
  EXPECT_EQ(error_of([&] { last_checkpoint_weights(dir.path(), 5); }),
            root.string() + " has 4 checkpoints, fewer than the 5 to average");
}

TEST(LastCheckpointWeights, NoCheckpointsAtAll) {
  TempDir dir;
  EXPECT_EQ(error_of([&] { last_checkpoint_weights(dir.path(), 1); }),
            (dir.path() / "checkpoints").string() + " has 0 checkpoints, fewer than the 1 to average");
}

}  // namespace
}  // namespace tfm::train
