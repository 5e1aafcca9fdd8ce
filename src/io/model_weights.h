#pragma once
// A ParameterSet's values as model.safetensors: one F32 tensor per entry, under the entry's name.
#include <filesystem>

#include "io/safetensors.h"
#include "tensor/parameters.h"

namespace tfm::io {

// Writes atomically; gradients are not saved.
void save_parameters(const std::filesystem::path& path, const ParameterSet& params,
                     const Metadata& metadata = {});

// Fills every entry of `params` from the file. The file must hold exactly the set's tensors,
// each with the entry's shape, as F32 or a float dtype convertible to it, all finite; otherwise
// a FormatError names the file and the tensor, and `params` is left as it was.
void load_parameters(const std::filesystem::path& path, ParameterSet& params);

}  // namespace tfm::io
