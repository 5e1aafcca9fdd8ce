#pragma once
// Turns encoded sentence pairs into padded training batches: a token budget per batch,
// sentences of similar length together (little padding), a new batch order every epoch.
// Every batch is a pure function of (data, options, seed, epoch, index), so a run resumed
// from a saved BatchPosition sees exactly the batches the uninterrupted run would have.
#include <cstdint>
#include <vector>

#include "train/batch.h"

namespace tfm {

struct BatcherOptions {
  // Budget per batch: batch_size * max(src_len, tgt_len), with EOS/BOS counted. A single
  // pair over the budget still forms a batch of its own.
  int64_t max_tokens = 4096;
  // Pairs with a side longer than this many pieces (before EOS/BOS) are skipped.
  int max_length = 256;
  // Pairs are sorted by length within shuffled chunks of this many pairs (fairseq and
  // Marian do the same): big chunks give tight length buckets and so little padding,
  // while the shuffle still varies batch contents from epoch to epoch. 1 = no sorting.
  int64_t sort_chunk_pairs = 100'000;
  uint64_t seed = 1;
  int32_t pad_id = 0;
  int32_t bos_id = 2;
  int32_t eos_id = 3;
};

// What happened to the input pairs; the trainer logs it. A pair that is both empty on one
// side and too long on the other counts as empty.
struct BatcherPairCounts {
  int64_t kept = 0;
  int64_t skipped_empty = 0;     // a side with no pieces
  int64_t skipped_too_long = 0;  // a side over max_length pieces
};

// The batch next() returns next, saved in checkpoints.
struct BatchPosition {
  int64_t epoch = 0;
  int64_t batch = 0;  // index within the epoch
  bool operator==(const BatchPosition&) const = default;
};

class Batcher {
 public:
  // source[i] and target[i] are the piece ids of pair i, without BOS or EOS. The batcher
  // keeps its own compact copy. Throws std::runtime_error when filtering leaves no pair,
  // std::invalid_argument for sides of different sizes or out-of-range options.
  Batcher(const std::vector<std::vector<int32_t>>& source,
          const std::vector<std::vector<int32_t>>& target, const BatcherOptions& options);

  const BatcherPairCounts& pair_counts() const { return counts_; }
  int64_t batches_in_epoch() const;  // of the current epoch; varies a little between epochs

  // Returns the batch at position() and moves on, into the next epoch after the last one.
  Batch next();
  BatchPosition position() const { return position_; }
  // Jumps to a saved position; throws std::out_of_range when the epoch has no such batch
  // (a checkpoint from another corpus or other batching options).
  void set_position(BatchPosition position);

 private:
  struct Pair {
    int64_t offset;  // of the source pieces in tokens_; the target pieces follow them
    int32_t source_length;
    int32_t target_length;
  };

  void plan_epoch(int64_t epoch);
  Batch make_batch(int64_t begin, int64_t end) const;  // pairs order_[begin, end)

  BatcherOptions options_;
  BatcherPairCounts counts_;
  std::vector<int32_t> tokens_;  // the kept pairs' pieces, back to back
  std::vector<Pair> pairs_;

  // The plan of position_.epoch: batch k holds the pairs order_[starts[k], starts[k+1])
  // with k = batch_order_[position_.batch].
  BatchPosition position_;
  std::vector<uint32_t> order_;
  std::vector<int64_t> batch_starts_;
  std::vector<uint32_t> batch_order_;
};

}  // namespace tfm
