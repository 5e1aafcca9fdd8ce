#include "nn/decoder_cache.h"

#include <algorithm>
#include <cassert>

#include "kernels/profile.h"

namespace tfm::nn {

void DecoderCache::select_rows(const std::vector<int32_t>& origin) {
  const kernels::profile::Scope scope("cache_select_rows");
  const int64_t row_floats = capacity * 2 * d_model;
  const int64_t used_floats = length * 2 * d_model;
  assert(int64_t(origin.size()) <= rows);  // finished sentences leave; none join
  if (!scratch_) scratch_ = std::make_unique_for_overwrite<float[]>(size_t(rows * row_floats));
  for (Layer& layer : layers) {
#pragma omp parallel for schedule(static)
    for (size_t r = 0; r < origin.size(); ++r) {
      const float* from = layer.self_kv.get() + origin[r] * row_floats;
      std::copy(from, from + used_floats, scratch_.get() + r * row_floats);
    }
    layer.self_kv.swap(scratch_);
  }
  std::vector<int32_t> sources(origin.size());
  for (size_t r = 0; r < origin.size(); ++r) sources[r] = source_of_row[origin[r]];
  source_of_row.swap(sources);
  rows = int64_t(origin.size());
}

}  // namespace tfm::nn
