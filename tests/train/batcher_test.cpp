#include "train/batcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "tensor/random.h"

namespace tfm {
namespace {

using Pieces = std::vector<int32_t>;
using Sentences = std::vector<Pieces>;

constexpr int32_t kPad = 0, kBos = 2, kEos = 3;

struct Corpus {
  Sentences source, target;
};

// Pairs with lengths spread over 1..max_length and targets about as long as their
// sources, like real translations; piece ids avoid the specials.
Corpus synthetic_corpus(int pairs, int max_length, uint64_t seed) {
  SplitMix64 rng(seed);
  Corpus corpus;
  for (int i = 0; i < pairs; ++i) {
    const int src_length = 1 + static_cast<int>(rng.next() % static_cast<uint64_t>(max_length));
    const int jitter = static_cast<int>(rng.next() % 7) - 3;
    const int tgt_length = std::clamp(src_length + jitter, 1, max_length);
    Pieces src, tgt;
    for (int k = 0; k < src_length; ++k) src.push_back(4 + static_cast<int32_t>(rng.next() % 996));
    for (int k = 0; k < tgt_length; ++k) tgt.push_back(4 + static_cast<int32_t>(rng.next() % 996));
    corpus.source.push_back(src);
    corpus.target.push_back(tgt);
  }
  return corpus;
}

BatcherOptions options_with(int64_t max_tokens, uint64_t seed = 1) {
  BatcherOptions options;
  options.max_tokens = max_tokens;
  options.seed = seed;
  options.pad_id = kPad;
  options.bos_id = kBos;
  options.eos_id = kEos;
  return options;
}

void expect_same_batch(const Batch& a, const Batch& b) {
  EXPECT_EQ(a.batch_size, b.batch_size);
  EXPECT_EQ(a.src_len, b.src_len);
  EXPECT_EQ(a.tgt_len, b.tgt_len);
  EXPECT_EQ(a.src_ids, b.src_ids);
  EXPECT_EQ(a.src_lengths, b.src_lengths);
  EXPECT_EQ(a.tgt_in_ids, b.tgt_in_ids);
  EXPECT_EQ(a.tgt_out_ids, b.tgt_out_ids);
  EXPECT_EQ(a.tgt_lengths, b.tgt_lengths);
}

// The pairs of a batch as the batcher was given them, specials and padding removed.
std::vector<std::pair<Pieces, Pieces>> pairs_in(const Batch& batch) {
  std::vector<std::pair<Pieces, Pieces>> pairs;
  for (int r = 0; r < batch.batch_size; ++r) {
    const auto src = batch.src_ids.begin() + r * batch.src_len;
    const auto tgt = batch.tgt_out_ids.begin() + r * batch.tgt_len;
    pairs.emplace_back(Pieces(src, src + batch.src_lengths[r] - 1),
                       Pieces(tgt, tgt + batch.tgt_lengths[r] - 1));
  }
  return pairs;
}

std::vector<Batch> take(Batcher& batcher, int64_t count) {
  std::vector<Batch> batches;
  for (int64_t i = 0; i < count; ++i) batches.push_back(batcher.next());
  return batches;
}

TEST(Batcher, AddsSpecialsAndPadsAtTheEnd) {
  // Worked by hand: two pairs, small enough to land in one batch.
  const Sentences source = {{10, 11, 12}, {20}};
  const Sentences target = {{30}, {40, 41, 42, 43}};
  Batcher batcher(source, target, options_with(100));
  ASSERT_EQ(batcher.batches_in_epoch(), 1);
  const Batch batch = batcher.next();
  ASSERT_EQ(batch.batch_size, 2);
  EXPECT_EQ(batch.src_len, 4);
  EXPECT_EQ(batch.tgt_len, 5);
  // Sorted by length, so the pair with the one-piece source comes first.
  EXPECT_EQ(batch.src_ids, (std::vector<int32_t>{20, kEos, kPad, kPad,  //
                                                 10, 11, 12, kEos}));
  EXPECT_EQ(batch.src_lengths, (std::vector<int32_t>{2, 4}));
  EXPECT_EQ(batch.tgt_in_ids, (std::vector<int32_t>{kBos, 40, 41, 42, 43,  //
                                                    kBos, 30, kPad, kPad, kPad}));
  EXPECT_EQ(batch.tgt_out_ids, (std::vector<int32_t>{40, 41, 42, 43, kEos,  //
                                                     30, kEos, kPad, kPad, kPad}));
  EXPECT_EQ(batch.tgt_lengths, (std::vector<int32_t>{5, 2}));
  EXPECT_EQ(batch.target_tokens(), 7);
}

TEST(Batcher, EveryPairAppearsExactlyOncePerEpoch) {
  const Corpus corpus = synthetic_corpus(2000, 60, 1);
  std::vector<std::pair<Pieces, Pieces>> expected;
  for (size_t i = 0; i < corpus.source.size(); ++i)
    expected.emplace_back(corpus.source[i], corpus.target[i]);
  std::sort(expected.begin(), expected.end());

  BatcherOptions options = options_with(500);
  options.sort_chunk_pairs = 300;  // several chunks, including a short last one
  Batcher batcher(corpus.source, corpus.target, options);
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    ASSERT_EQ(batcher.position(), (BatchPosition{epoch, 0}));
    std::vector<std::pair<Pieces, Pieces>> seen;
    const int64_t batches = batcher.batches_in_epoch();
    for (const Batch& batch : take(batcher, batches)) {
      const auto pairs = pairs_in(batch);
      seen.insert(seen.end(), pairs.begin(), pairs.end());
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, expected) << "epoch " << epoch;
  }
}

TEST(Batcher, RespectsTheTokenBudgetAndLetsAnOverlongPairStandAlone) {
  Corpus corpus = synthetic_corpus(1000, 40, 2);
  corpus.source.push_back(Pieces(150, 7));  // 151 tokens with EOS: over the budget alone
  corpus.target.push_back(Pieces(5, 8));
  BatcherOptions options = options_with(128);
  options.max_length = 200;
  Batcher batcher(corpus.source, corpus.target, options);
  int overlong_batches = 0;
  for (int epoch = 0; epoch < 2; ++epoch) {
    for (const Batch& batch : take(batcher, batcher.batches_in_epoch())) {
      EXPECT_EQ(batch.src_len, *std::max_element(batch.src_lengths.begin(), batch.src_lengths.end()));
      EXPECT_EQ(batch.tgt_len, *std::max_element(batch.tgt_lengths.begin(), batch.tgt_lengths.end()));
      const int64_t cost = int64_t{batch.batch_size} * std::max(batch.src_len, batch.tgt_len);
      if (batch.src_len == 151) {
        ++overlong_batches;
        EXPECT_EQ(batch.batch_size, 1);
      } else {
        EXPECT_LE(cost, 128);
      }
    }
  }
  EXPECT_EQ(overlong_batches, 2);
}

TEST(Batcher, SameSeedSameBatchesAndEachEpochDiffers) {
  const Corpus corpus = synthetic_corpus(1500, 50, 3);
  Batcher a(corpus.source, corpus.target, options_with(400, 7));
  Batcher b(corpus.source, corpus.target, options_with(400, 7));
  Batcher other_seed(corpus.source, corpus.target, options_with(400, 8));

  const std::vector<Batch> a0 = take(a, a.batches_in_epoch());
  const std::vector<Batch> b0 = take(b, b.batches_in_epoch());
  ASSERT_EQ(a0.size(), b0.size());
  for (size_t i = 0; i < a0.size(); ++i) expect_same_batch(a0[i], b0[i]);

  const std::vector<Batch> a1 = take(a, 5);
  const std::vector<Batch> b1 = take(b, 5);
  for (size_t i = 0; i < a1.size(); ++i) expect_same_batch(a1[i], b1[i]);

  // Another epoch or another seed starts with other batches.
  EXPECT_NE(a0.front().src_ids, a1.front().src_ids);
  EXPECT_NE(a0.front().src_ids, other_seed.next().src_ids);
}

TEST(Batcher, RestoredPositionReplaysTheSameBatches) {
  const Corpus corpus = synthetic_corpus(1500, 50, 4);
  const BatcherOptions options = options_with(300, 11);
  Batcher original(corpus.source, corpus.target, options);
  take(original, original.batches_in_epoch() + 17);  // into the second epoch
  const BatchPosition saved = original.position();
  ASSERT_EQ(saved, (BatchPosition{1, 17}));
  // Past another epoch boundary, so the next epoch's plan is covered too.
  const std::vector<Batch> expected = take(original, original.batches_in_epoch() + 10);

  Batcher resumed(corpus.source, corpus.target, options);
  resumed.set_position(saved);
  EXPECT_EQ(resumed.position(), saved);
  const std::vector<Batch> replayed = take(resumed, static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) expect_same_batch(replayed[i], expected[i]);
  EXPECT_EQ(resumed.position(), original.position());
}

TEST(Batcher, PositionPastTheEpochIsRejected) {
  const Corpus corpus = synthetic_corpus(100, 20, 5);
  Batcher batcher(corpus.source, corpus.target, options_with(200));
  EXPECT_THROW(batcher.set_position({0, batcher.batches_in_epoch()}), std::out_of_range);
  EXPECT_THROW(batcher.set_position({-1, 0}), std::out_of_range);
}

// Share of the token slots of every batch that are padding, over one epoch.
double padding_fraction(const Corpus& corpus, const BatcherOptions& options) {
  Batcher batcher(corpus.source, corpus.target, options);
  int64_t slots = 0, real = 0;
  for (const Batch& batch : take(batcher, batcher.batches_in_epoch())) {
    slots += int64_t{batch.batch_size} * (batch.src_len + batch.tgt_len);
    for (int32_t n : batch.src_lengths) real += n;
    real += batch.target_tokens();
  }
  return 1.0 - static_cast<double>(real) / static_cast<double>(slots);
}

TEST(Batcher, LengthBucketingKeepsPaddingSmall) {
  const Corpus corpus = synthetic_corpus(20000, 80, 6);
  BatcherOptions bucketed = options_with(2000);
  BatcherOptions random = bucketed;
  random.sort_chunk_pairs = 1;  // chunks of one pair: nothing sorted, batches are random
  const double bucketed_padding = padding_fraction(corpus, bucketed);
  const double random_padding = padding_fraction(corpus, random);
  EXPECT_LT(bucketed_padding, 0.05);
  EXPECT_GT(random_padding, 0.3);
}

TEST(Batcher, SkipsAndCountsEmptyAndOverlongPairs) {
  const Sentences source = {{5}, {}, {5, 6, 7}, {5}, {}, Pieces(9, 5), {5, 6}};
  const Sentences target = {{6}, {6}, {}, Pieces(9, 6), Pieces(9, 6), {6}, {6, 7}};
  BatcherOptions options = options_with(100);
  options.max_length = 8;
  Batcher batcher(source, target, options);
  EXPECT_EQ(batcher.pair_counts().kept, 2);
  EXPECT_EQ(batcher.pair_counts().skipped_empty, 3);  // including the empty-and-overlong one
  EXPECT_EQ(batcher.pair_counts().skipped_too_long, 2);
  int64_t rows = 0;
  for (const Batch& batch : take(batcher, batcher.batches_in_epoch())) rows += batch.batch_size;
  EXPECT_EQ(rows, 2);
}

TEST(Batcher, NothingLeftOrMismatchedSidesAreErrors) {
  EXPECT_THROW(Batcher({{}, {5}}, {{5}, {}}, options_with(100)), std::runtime_error);
  EXPECT_THROW(Batcher({{5}}, {{5}, {6}}, options_with(100)), std::invalid_argument);
  EXPECT_THROW(Batcher({{5}}, {{6}}, options_with(0)), std::invalid_argument);
}

}  // namespace
}  // namespace tfm
