#pragma once
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

namespace tfm {

// One training batch, padded at the end of each sequence. Row-major [batch_size, src_len] etc.
// Conventions (docs/model-format.md): source = pieces + EOS; decoder input = BOS + pieces;
// decoder target = pieces + EOS; padding uses pad_id and is masked everywhere.
struct Batch {
  int batch_size = 0;
  int src_len = 0;  // longest source in the batch
  int tgt_len = 0;  // longest target in the batch
  std::vector<int32_t> src_ids;      // [batch_size, src_len]
  std::vector<int32_t> src_lengths;  // [batch_size]
  std::vector<int32_t> tgt_in_ids;   // [batch_size, tgt_len]
  std::vector<int32_t> tgt_out_ids;  // [batch_size, tgt_len]
  std::vector<int32_t> tgt_lengths;  // [batch_size]
  int64_t target_tokens() const {    // sum of tgt_lengths
    return std::accumulate(tgt_lengths.begin(), tgt_lengths.end(), int64_t{0});
  }
};

// Frames and pads sentence pairs (piece ids without specials) into a batch by the
// conventions above; sources[i] pairs with targets[i].
Batch make_batch(std::span<const std::span<const int32_t>> sources, std::span<const std::span<const int32_t>> targets,
                 int32_t pad_id, int32_t bos_id, int32_t eos_id);

// Share `part` of `parts` of a batch, for data-parallel training: sentences part,
// part + parts, part + 2 parts, ... (a batch holds sentences of similar lengths in order, so
// taking every parts-th one gives every share about the same number of tokens), padded to
// the longest of them. Empty when the batch has no more than `part` sentences.
Batch take_share(const Batch& batch, int part, int parts);

}  // namespace tfm
