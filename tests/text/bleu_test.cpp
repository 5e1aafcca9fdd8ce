// BLEU on examples worked by hand.
#include "text/bleu.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tfm::text {
namespace {

// hyp "the cat sat on the mat" vs ref "the cat is on the mat", 6 tokens each:
//   1-grams: the(2) cat on mat match, sat does not        -> 5 of 6
//   2-grams: "the cat" "on the" "the mat" match            -> 3 of 5
//   3-grams: only "on the mat" matches                     -> 1 of 4
//   4-grams: none match                                    -> 0 of 3
constexpr const char* kHyp = "the cat sat on the mat";
constexpr const char* kRef = "the cat is on the mat";

TEST(Bleu, CountsNgramsClippedByTheReference) {
  const BleuStats stats = bleu_sentence_stats(kHyp, kRef, {});
  EXPECT_EQ(stats.sys_len, 6);
  EXPECT_EQ(stats.ref_len, 6);
  EXPECT_EQ(stats.counts, (std::array<int64_t, 4>{5, 3, 1, 0}));
  EXPECT_EQ(stats.totals, (std::array<int64_t, 4>{6, 5, 4, 3}));
  // "the the the" against "the": one "the" in the reference, so one match
  EXPECT_EQ(bleu_sentence_stats("the the the", "the", {}).counts[0], 1);
}

TEST(Bleu, ExpSmoothingHalvesTheFirstZeroCount) {
  const BleuScore score = sentence_bleu(kHyp, kRef, {});
  // the 4-gram precision becomes 1 / (2 * 3) instead of 0
  const double p[4] = {100.0 * 5 / 6, 100.0 * 3 / 5, 100.0 * 1 / 4, 100.0 / (2 * 3)};
  for (int n = 0; n < 4; ++n) EXPECT_DOUBLE_EQ(score.precisions[n], p[n]) << n;
  EXPECT_EQ(score.bp, 1.0);
  EXPECT_EQ(score.ratio, 1.0);
  EXPECT_NEAR(score.score, std::pow(p[0] * p[1] * p[2] * p[3], 0.25), 1e-12);  // about 37.99
  EXPECT_EQ(format_score_line(bleu_report(score, {}), 2, false),
            "BLEU = 37.99 83.3/60.0/25.0/16.7 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)");
}

TEST(Bleu, OtherSmoothingMethods) {
  BleuOptions none;
  none.smoothing = BleuSmoothing::kNone;
  const BleuScore unsmoothed = sentence_bleu(kHyp, kRef, none);
  EXPECT_EQ(unsmoothed.precisions[3], 0.0);
  EXPECT_EQ(unsmoothed.score, 0.0);  // log(0) is floored to -9999999999, exp of its quarter is 0

  BleuOptions floor;
  floor.smoothing = BleuSmoothing::kFloor;
  EXPECT_DOUBLE_EQ(sentence_bleu(kHyp, kRef, floor).precisions[3], 100.0 * 0.1 / 3);
  floor.smooth_value = 0.5;
  EXPECT_DOUBLE_EQ(sentence_bleu(kHyp, kRef, floor).precisions[3], 100.0 * 0.5 / 3);

  // add-k adds 1 to the matches and totals of orders 2-4, never to unigrams
  BleuOptions add_k;
  add_k.smoothing = BleuSmoothing::kAddK;
  const BleuScore added = sentence_bleu(kHyp, kRef, add_k);
  const double p[4] = {100.0 * 5 / 6, 100.0 * 4 / 6, 100.0 * 2 / 5, 100.0 * 1 / 4};
  for (int n = 0; n < 4; ++n) EXPECT_DOUBLE_EQ(added.precisions[n], p[n]) << n;
  EXPECT_EQ(added.stats.counts, (std::array<int64_t, 4>{5, 3, 1, 0}));  // reported raw
}

TEST(Bleu, EffectiveOrderAveragesOnlyOrdersWithNgrams) {
  // "a b" has no 3- or 4-grams. bp = exp(1 - 3/2).
  BleuOptions effective;
  effective.effective_order = true;
  const BleuScore score = sentence_bleu("a b", "a b c", effective);
  EXPECT_EQ(score.stats.totals, (std::array<int64_t, 4>{2, 1, 0, 0}));
  EXPECT_DOUBLE_EQ(score.bp, std::exp(-0.5));
  EXPECT_DOUBLE_EQ(score.score, 100.0 * std::exp(-0.5));
  // without it the missing orders count as precision 0
  EXPECT_EQ(sentence_bleu("a b", "a b c", {}).score, 0.0);
}

TEST(Bleu, EmptyHypothesisAndNoMatches) {
  const BleuScore empty = sentence_bleu("", "a b c", {});
  EXPECT_EQ(empty.score, 0.0);
  EXPECT_EQ(empty.bp, 0.0);
  EXPECT_EQ(empty.ratio, 0.0);
  // no match at all: score and precisions 0 even though there are n-grams
  const BleuScore disjoint = sentence_bleu("x y z", "a b c", {});
  EXPECT_EQ(disjoint.stats.totals[0], 3);
  EXPECT_EQ(disjoint.precisions[0], 0.0);
  EXPECT_EQ(disjoint.score, 0.0);
  EXPECT_EQ(disjoint.bp, 1.0);
}

TEST(Bleu, CorpusScoreSumsTheSentenceStatistics) {
  const std::vector<std::string> hyps = {kHyp, "a b"};
  const std::vector<std::string> refs = {kRef, "a b c"};
  BleuStats sum = bleu_sentence_stats(hyps[0], refs[0], {});
  sum += bleu_sentence_stats(hyps[1], refs[1], {});
  const BleuScore corpus = corpus_bleu(hyps, refs, {});
  EXPECT_EQ(corpus.stats.counts, sum.counts);
  EXPECT_EQ(corpus.stats.totals, (std::array<int64_t, 4>{8, 6, 4, 3}));
  EXPECT_EQ(corpus.stats.ref_len, 9);
  EXPECT_DOUBLE_EQ(corpus.bp, std::exp(1.0 - 9.0 / 8.0));
}

TEST(Bleu, LowercaseAndTokenizerApplyToBothSides) {
  BleuOptions lowercase;
  lowercase.lowercase = true;
  EXPECT_EQ(sentence_bleu("DAS HAUS.", "das Haus .", lowercase).stats.counts, (std::array<int64_t, 4>{3, 2, 1, 0}));
  BleuOptions none;
  none.tokenizer = BleuTokenizer::kNone;
  // untokenized, "Haus." and "Haus" differ
  EXPECT_EQ(sentence_bleu("das Haus.", "das Haus", none).stats.counts[0], 1);
  EXPECT_EQ(sentence_bleu("das Haus.", "das Haus", {}).stats.counts[0], 2);
}

TEST(Bleu, Signature) {
  EXPECT_EQ(bleu_signature({}).str(), "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0");
  BleuOptions options;
  options.lowercase = true;
  options.effective_order = true;
  options.tokenizer = BleuTokenizer::kIntl;
  options.smoothing = BleuSmoothing::kFloor;
  EXPECT_EQ(bleu_signature(options).str(), "nrefs:1|case:lc|eff:yes|tok:intl|smooth:floor[0.10]|version:2.6.0");
  options.smoothing = BleuSmoothing::kAddK;
  options.smooth_value = 0.5;
  EXPECT_EQ(bleu_signature(options).str(), "nrefs:1|case:lc|eff:yes|tok:intl|smooth:add-k[0.50]|version:2.6.0");
  EXPECT_EQ(parse_bleu_smoothing("add-k"), BleuSmoothing::kAddK);
  EXPECT_THROW(parse_bleu_smoothing("exponential"), std::invalid_argument);
}

}  // namespace
}  // namespace tfm::text
