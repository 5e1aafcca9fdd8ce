#include "io/model_weights.h"

#include <vector>

#include "io/finite_check.h"

namespace tfm::io {
namespace {

std::vector<int64_t> dims(const Shape& shape) {
  std::vector<int64_t> d(static_cast<std::size_t>(shape.rank()));
  for (int i = 0; i < shape.rank(); ++i) d[static_cast<std::size_t>(i)] = shape[i];
  return d;
}

}  // namespace

void save_parameters(const std::filesystem::path& path, const ParameterSet& params,
                     const Metadata& metadata) {
  std::vector<TensorToWrite> tensors;
  for (const ParameterSet::Entry& e : params.entries())
    tensors.push_back({e.name, Dtype::F32, dims(e.param.value.shape), e.param.value.data});
  write_safetensors(path, tensors, metadata);
}

void load_parameters(const std::filesystem::path& path, ParameterSet& params) {
  const SafetensorsReader file(path);
  const std::string where = path.string() + ": tensor \"";

  // Check everything before writing anything, so that a bad file leaves the model untouched.
  for (const ParameterSet::Entry& e : params.entries()) {
    const TensorInfo* t = file.find(e.name);
    if (!t) throw FormatError(where + e.name + "\" is missing");
    if (t->shape != dims(e.param.value.shape))
      throw FormatError(where + e.name + "\": shape " + shape_str(t->shape) +
                        " in the file, expected " + e.param.value.shape.str());
  }
  for (const TensorInfo& t : file.tensors())
    if (!params.find(t.name))
      throw FormatError(where + t.name +
                        "\" is not a parameter of this model (does config.json match?)");
  // Values are converted twice, to check (dtype and finiteness) and to store, rather than
  // holding a second copy of the whole model in memory.
  std::vector<float> scratch;
  for (const TensorInfo& t : file.tensors()) {
    scratch.resize(static_cast<std::size_t>(t.numel()));
    file.read_float32(t.name, scratch);
    require_finite(scratch, t.shape, path.string(), t.name);
  }

  for (const ParameterSet::Entry& e : params.entries()) {
    const Tensor& value = e.param.value;
    file.read_float32(e.name,
                      std::span<float>(value.data, static_cast<std::size_t>(value.numel())));
  }
}

}  // namespace tfm::io
