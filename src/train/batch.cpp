#include "train/batch.h"

#include <algorithm>
#include <cassert>

namespace tfm {

Batch make_batch(std::span<const std::span<const int32_t>> sources, std::span<const std::span<const int32_t>> targets,
                 int32_t pad_id, int32_t bos_id, int32_t eos_id) {
  assert(sources.size() == targets.size());
  Batch batch;
  batch.batch_size = static_cast<int>(sources.size());
  for (size_t r = 0; r < sources.size(); ++r) {
    batch.src_len = std::max(batch.src_len, static_cast<int>(sources[r].size()) + 1);
    batch.tgt_len = std::max(batch.tgt_len, static_cast<int>(targets[r].size()) + 1);
  }
  const auto src_len = static_cast<size_t>(batch.src_len);
  const auto tgt_len = static_cast<size_t>(batch.tgt_len);
  batch.src_ids.assign(sources.size() * src_len, pad_id);
  batch.tgt_in_ids.assign(sources.size() * tgt_len, pad_id);
  batch.tgt_out_ids.assign(sources.size() * tgt_len, pad_id);
  for (size_t r = 0; r < sources.size(); ++r) {
    const auto src = sources[r];
    const auto tgt = targets[r];
    int32_t* src_row = batch.src_ids.data() + r * src_len;
    int32_t* tgt_in_row = batch.tgt_in_ids.data() + r * tgt_len;
    int32_t* tgt_out_row = batch.tgt_out_ids.data() + r * tgt_len;
    std::copy(src.begin(), src.end(), src_row);
    src_row[src.size()] = eos_id;
    tgt_in_row[0] = bos_id;
    std::copy(tgt.begin(), tgt.end(), tgt_in_row + 1);
    std::copy(tgt.begin(), tgt.end(), tgt_out_row);
    tgt_out_row[tgt.size()] = eos_id;
    batch.src_lengths.push_back(static_cast<int32_t>(src.size()) + 1);
    batch.tgt_lengths.push_back(static_cast<int32_t>(tgt.size()) + 1);
  }
  return batch;
}

}  // namespace tfm
