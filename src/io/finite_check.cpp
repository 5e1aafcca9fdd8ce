#include "io/finite_check.h"

#include <algorithm>
#include <cmath>

#include "io/format_error.h"
#include "io/safetensors.h"

namespace tfm::io {
namespace {

// The position of flat element `flat` in a row-major tensor of `shape`.
std::vector<int64_t> unflatten(int64_t flat, const std::vector<int64_t>& shape) {
  std::vector<int64_t> index(shape.size());
  for (std::size_t i = shape.size(); i-- > 0;) {
    index[i] = flat % shape[i];
    flat /= shape[i];
  }
  return index;
}

}  // namespace

void require_finite(std::span<const float> values, const std::vector<int64_t>& shape,
                    const std::string& file, const std::string& tensor) {
  const auto bad_it =
      std::find_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); });
  if (bad_it == values.end()) return;
  const int64_t flat = bad_it - values.begin();
  const float bad = *bad_it;
  throw FormatError(file + ": tensor \"" + tensor + "\": element " +
                    shape_str(unflatten(flat, shape)) + " (flat index " + std::to_string(flat) +
                    ") is " +
                    (std::isnan(bad) ? "nan"
                     : bad > 0       ? "inf"
                                     : "-inf") +
                    "; model tensors must be finite");
}

}  // namespace tfm::io
