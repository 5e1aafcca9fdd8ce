#pragma once
// Every float tensor tfm reads for a model must be finite. A NaN or infinity in a weight file
// means a diverged run or a damaged file; caught at load time it names its tensor, instead of
// surfacing later as NaN losses or empty translations.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tfm::io {

// Throws FormatError naming the file, the tensor and the first element that is NaN or infinite
// (its index in `shape` and its flat index).
void require_finite(std::span<const float> values, const std::vector<int64_t>& shape,
                    const std::string& file, const std::string& tensor);

}  // namespace tfm::io
