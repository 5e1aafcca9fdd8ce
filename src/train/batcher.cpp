#include "train/batcher.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "tensor/shuffle.h"

namespace tfm {

namespace {

// An independent random stream per (seed, epoch): hashing both, rather than adding the
// epoch to the seed, keeps epoch e's stream from being epoch e-1's shifted by one draw.
SplitMix64 epoch_rng(uint64_t seed, int64_t epoch) {
  const uint64_t seed_hash = SplitMix64(seed).next();
  return SplitMix64(SplitMix64(seed_hash + static_cast<uint64_t>(epoch)).next());
}

void check_options(const BatcherOptions& options) {
  const auto require = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("batcher option " + what);
  };
  require(options.max_tokens >= 1,
          "max_tokens must be >= 1, got " + std::to_string(options.max_tokens));
  require(options.max_length >= 1,
          "max_length must be >= 1, got " + std::to_string(options.max_length));
  require(options.sort_chunk_pairs >= 1,
          "sort_chunk_pairs must be >= 1, got " + std::to_string(options.sort_chunk_pairs));
}

}  // namespace

Batcher::Batcher(const std::vector<std::vector<int32_t>>& source,
                 const std::vector<std::vector<int32_t>>& target, const BatcherOptions& options)
    : options_(options) {
  check_options(options);
  if (source.size() != target.size())
    throw std::invalid_argument("batcher needs as many targets as sources, got " +
                                std::to_string(source.size()) + " and " +
                                std::to_string(target.size()));
  const auto max_length = static_cast<size_t>(options.max_length);
  for (size_t i = 0; i < source.size(); ++i) {
    const auto& src = source[i];
    const auto& tgt = target[i];
    if (src.empty() || tgt.empty()) {
      ++counts_.skipped_empty;
    } else if (src.size() > max_length || tgt.size() > max_length) {
      ++counts_.skipped_too_long;
    } else {
      pairs_.push_back({static_cast<int64_t>(tokens_.size()), static_cast<int32_t>(src.size()),
                        static_cast<int32_t>(tgt.size())});
      tokens_.insert(tokens_.end(), src.begin(), src.end());
      tokens_.insert(tokens_.end(), tgt.begin(), tgt.end());
    }
  }
  counts_.kept = static_cast<int64_t>(pairs_.size());
  if (pairs_.empty())
    throw std::runtime_error("no sentence pairs left to train on: " +
                             std::to_string(counts_.skipped_empty) + " have an empty side, " +
                             std::to_string(counts_.skipped_too_long) + " have a side over " +
                             std::to_string(options.max_length) + " pieces");
  assert(pairs_.size() <= std::numeric_limits<uint32_t>::max());
  plan_epoch(0);
}

int64_t Batcher::batches_in_epoch() const {
  return static_cast<int64_t>(batch_order_.size());
}

// Shuffle all pairs, sort each chunk by length, cut the result into batches within the
// token budget, then shuffle the batches.
void Batcher::plan_epoch(int64_t epoch) {
  SplitMix64 rng = epoch_rng(options_.seed, epoch);
  order_.resize(pairs_.size());
  std::iota(order_.begin(), order_.end(), 0u);
  shuffle(order_.begin(), order_.end(), rng);

  // By source length, then target length: after sorting, neighbours have close lengths on
  // both sides, because the two lengths of a pair are strongly correlated.
  const auto shorter = [&](uint32_t a, uint32_t b) {
    const Pair& x = pairs_[a];
    const Pair& y = pairs_[b];
    return x.source_length != y.source_length ? x.source_length < y.source_length
                                              : x.target_length < y.target_length;
  };
  const auto chunk = static_cast<size_t>(options_.sort_chunk_pairs);
  for (size_t begin = 0; begin < order_.size(); begin += chunk) {
    const size_t end = std::min(order_.size(), begin + chunk);
    // Stable, so that the shuffle decides between pairs of equal lengths.
    std::stable_sort(order_.begin() + static_cast<int64_t>(begin),
                     order_.begin() + static_cast<int64_t>(end), shorter);
  }

  batch_starts_.assign(1, 0);
  int64_t rows = 0;
  int64_t longest = 0;  // max(src_len, tgt_len) of the batch being filled, specials included
  for (size_t i = 0; i < order_.size(); ++i) {
    const Pair& pair = pairs_[order_[i]];
    const int64_t length = std::max(pair.source_length, pair.target_length) + 1;
    if (rows > 0 && (rows + 1) * std::max(longest, length) > options_.max_tokens) {
      batch_starts_.push_back(static_cast<int64_t>(i));
      rows = 0;
      longest = 0;
    }
    ++rows;
    longest = std::max(longest, length);
  }
  batch_starts_.push_back(static_cast<int64_t>(order_.size()));

  batch_order_.resize(batch_starts_.size() - 1);
  std::iota(batch_order_.begin(), batch_order_.end(), 0u);
  shuffle(batch_order_.begin(), batch_order_.end(), rng);
  position_ = {epoch, 0};
}

Batch Batcher::next() {
  const uint32_t k = batch_order_[static_cast<size_t>(position_.batch)];
  Batch batch = make_batch(batch_starts_[k], batch_starts_[k + 1]);
  if (++position_.batch == batches_in_epoch()) plan_epoch(position_.epoch + 1);
  return batch;
}

void Batcher::set_position(BatchPosition position) {
  if (position.epoch < 0 || position.batch < 0)
    throw std::out_of_range("batch position (epoch " + std::to_string(position.epoch) +
                            ", batch " + std::to_string(position.batch) + ") is negative");
  plan_epoch(position.epoch);
  if (position.batch >= batches_in_epoch())
    throw std::out_of_range("batch position " + std::to_string(position.batch) +
                            " is past the end of epoch " + std::to_string(position.epoch) +
                            ", which has " + std::to_string(batches_in_epoch()) +
                            " batches: was it saved with another corpus or other batching "
                            "options?");
  position_.batch = position.batch;
}

Batch Batcher::make_batch(int64_t begin, int64_t end) const {
  std::vector<std::span<const int32_t>> sources, targets;
  for (int64_t i = begin; i < end; ++i) {
    const Pair& pair = pairs_[order_[static_cast<size_t>(i)]];
    const int32_t* src = tokens_.data() + pair.offset;
    sources.emplace_back(src, static_cast<size_t>(pair.source_length));
    targets.emplace_back(src + pair.source_length, static_cast<size_t>(pair.target_length));
  }
  return tfm::make_batch(sources, targets, options_.pad_id, options_.bos_id, options_.eos_id);
}

}  // namespace tfm
