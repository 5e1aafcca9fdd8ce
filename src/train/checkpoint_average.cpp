#include "train/checkpoint_average.h"

#include <cassert>
#include <set>
#include <stdexcept>
#include <string>

#include "train/checkpoint.h"

namespace tfm::train {

namespace fs = std::filesystem;

std::vector<fs::path> last_checkpoint_weights(const fs::path& model_dir, int count) {
  assert(count >= 1);
  const std::vector<fs::path> checkpoints = list_checkpoints(model_dir);
  if (checkpoints.size() < size_t(count))
    throw std::runtime_error((model_dir / "checkpoints").string() + " has " + std::to_string(checkpoints.size()) +
                             " checkpoint" + (checkpoints.size() == 1 ? "" : "s") + ", fewer than the " +
                             std::to_string(count) + " to average");
  std::vector<fs::path> weights;
  for (size_t i = checkpoints.size() - size_t(count); i < checkpoints.size(); ++i)
    weights.push_back(checkpoints[i] / "model.safetensors");
  return weights;
}

std::vector<int64_t> average_last_checkpoints(const fs::path& model_dir, int count, const fs::path& output) {
  const std::vector<fs::path> inputs = last_checkpoint_weights(model_dir, count);
  std::vector<int64_t> steps;
  std::string names;
  for (const fs::path& input : inputs) {
    steps.push_back(checkpoint_step(input.parent_path()));
    if (!names.empty()) names += ' ';
    names += checkpoint_name(steps.back());
  }
  average_weight_files(inputs, output, {{"averaged_checkpoints", names}});
  return steps;
}

void average_weight_files(const std::vector<fs::path>& inputs, const fs::path& output, const io::Metadata& metadata) {
  assert(!inputs.empty());
  // The first file fixes the names, shapes and order. Sums are kept in double, so that the
  // mean is rounded once, whatever the number of files.
  std::vector<io::TensorInfo> layout;
  std::vector<std::vector<double>> sums;
  {
    const io::SafetensorsReader first(inputs.front());
    layout = first.tensors();
    for (const io::TensorInfo& t : layout) {
      const std::vector<float> values = first.read_float32(t.name);
      sums.emplace_back(values.begin(), values.end());
    }
  }
  std::set<std::string> names;
  for (const io::TensorInfo& t : layout) names.insert(t.name);
  const std::string first_file = inputs.front().string();
  for (size_t f = 1; f < inputs.size(); ++f) {
    const io::SafetensorsReader reader(inputs[f]);
    const std::string file = inputs[f].string();
    for (const io::TensorInfo& t : reader.tensors())
      if (!names.contains(t.name)) throw io::FormatError(file + ": tensor \"" + t.name + "\" is not in " + first_file);
    for (size_t i = 0; i < layout.size(); ++i) {
      const io::TensorInfo* t = reader.find(layout[i].name);
      if (!t) throw io::FormatError(file + ": tensor \"" + layout[i].name + "\" is missing; " + first_file + " has it");
      if (t->shape != layout[i].shape)
        throw io::FormatError(file + ": tensor \"" + layout[i].name + "\" has shape " + io::shape_str(t->shape) +
                              ", but " + io::shape_str(layout[i].shape) + " in " + first_file);
      const std::vector<float> values = reader.read_float32(layout[i].name);
      for (size_t k = 0; k < values.size(); ++k) sums[i][k] += values[k];
    }
  }

  std::vector<std::vector<float>> means(layout.size());
  std::vector<io::TensorToWrite> tensors;
  for (size_t i = 0; i < layout.size(); ++i) {
    for (double sum : sums[i]) means[i].push_back(float(sum / double(inputs.size())));
    tensors.push_back({layout[i].name, io::Dtype::F32, layout[i].shape, means[i].data()});
  }
  io::write_safetensors(output, tensors, metadata);
}

}  // namespace tfm::train
