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

Batch take_share(const Batch& b, int part, int parts) {
  assert(0 <= part && part < parts);
  Batch share;
  for (int r = part; r < b.batch_size; r += parts) {
    share.src_len = std::max(share.src_len, b.src_lengths[size_t(r)]);
    share.tgt_len = std::max(share.tgt_len, b.tgt_lengths[size_t(r)]);
  }
  const auto copy_row = [](const std::vector<int32_t>& from, int row, int from_len, int to_len,
                           std::vector<int32_t>& to) {
    const auto begin = from.begin() + int64_t(row) * from_len;
    to.insert(to.end(), begin, begin + to_len);  // only padding lies past to_len
  };
  for (int r = part; r < b.batch_size; r += parts) {
    ++share.batch_size;
    copy_row(b.src_ids, r, b.src_len, share.src_len, share.src_ids);
    copy_row(b.tgt_in_ids, r, b.tgt_len, share.tgt_len, share.tgt_in_ids);
    copy_row(b.tgt_out_ids, r, b.tgt_len, share.tgt_len, share.tgt_out_ids);
    share.src_lengths.push_back(b.src_lengths[size_t(r)]);
    share.tgt_lengths.push_back(b.tgt_lengths[size_t(r)]);
  }
  return share;
}

}  // namespace tfm
