// chrF and chrF++ on examples worked by hand.
#include "text/chrf.h"

#include <gtest/gtest.h>

namespace tfm::text {
namespace {

TEST(Chrf, IgnoresWhitespaceAndAveragesOverOrdersPresent) {
  // both are "abc" without whitespace: orders 1-3 match fully, orders 4-6 have no n-grams
  const ChrfScore score = sentence_chrf("ab\u00a0c", "abc", {});
  const ChrfStats expected = {{3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
  EXPECT_EQ(score.stats, expected);
  EXPECT_EQ(score.score, 100.0);
}

TEST(Chrf, WorkedExample) {
  // "abd" vs "abc": 1-grams 2 of 3 match, 2-grams ("ab") 1 of 2, 3-grams 0 of 1.
  // Precision = recall = (2/3 + 1/2 + 0) / 3 = 7/18, and F2 of p = r is p.
  const ChrfScore score = sentence_chrf("abd", "abc", {});
  EXPECT_EQ(score.stats[0], (NgramMatches{3, 3, 2}));
  EXPECT_EQ(score.stats[1], (NgramMatches{2, 2, 1}));
  EXPECT_EQ(score.stats[2], (NgramMatches{1, 1, 0}));
  EXPECT_NEAR(score.score, 100.0 * 7 / 18, 1e-12);
}

TEST(Chrf, RecallWeighsMoreThanPrecision) {
  // "ab" vs "abcd": precision 1 at orders 1-2, recall 2/4 and 1/3.
  // p = 1, r = (1/2 + 1/3) / 2 = 5/12, F2 = 5 p r / (4 p + r)
  const double p = 1.0, r = 5.0 / 12;
  EXPECT_NEAR(sentence_chrf("ab", "abcd", {}).score, 100 * 5 * p * r / (4 * p + r), 1e-12);
}

TEST(Chrf, EmptyReferenceHidesTheHypothesisNgrams) {
  // sacreBLEU counts no hypothesis n-grams for an order the reference lacks
  EXPECT_EQ(sentence_chrf("abc", "", {}).stats[0], (NgramMatches{0, 0, 0}));
  EXPECT_EQ(sentence_chrf("", "ab", {}).stats[0], (NgramMatches{0, 2, 0}));
  EXPECT_EQ(sentence_chrf("", "ab", {}).score, 0.0);
}

TEST(Chrf, ChrfPlusPlusSplitsOnePunctuationMarkOffAWord) {
  // words: "(hi)" -> "(hi" ")"; "x," -> "x" ","; ",y" -> "," "y"; "!" stays: 7 words
  ChrfOptions plus_plus;
  plus_plus.word_order = 2;
  const ChrfScore score = sentence_chrf("(hi) x, ,y !", "(hi) x, ,y !", plus_plus);
  ASSERT_EQ(score.stats.size(), 8u);
  EXPECT_EQ(score.stats[6], (NgramMatches{7, 7, 7}));
  EXPECT_EQ(score.stats[7], (NgramMatches{6, 6, 6}));
  // "hallo" vs "(hallo)": the words "hallo" and "(hallo" differ
  EXPECT_EQ(sentence_chrf("sagt hallo", "sagt (hallo)", plus_plus).stats[6], (NgramMatches{2, 3, 1}));
}

TEST(Chrf, CorpusSumsStatisticsBeforeScoring) {
  const ChrfScore corpus = corpus_chrf({"abd", "ab"}, {"abc", "abcd"}, {});
  EXPECT_EQ(corpus.stats[0], (NgramMatches{5, 7, 4}));
  EXPECT_EQ(corpus.stats[1], (NgramMatches{3, 5, 2}));
  EXPECT_EQ(corpus.stats[2], (NgramMatches{1, 3, 0}));
  EXPECT_EQ(corpus.score, chrf_f_score(corpus.stats, {}));
}

TEST(Chrf, NameAndSignature) {
  ChrfOptions options;
  EXPECT_EQ(chrf_name(options), "chrF2");
  EXPECT_EQ(chrf_signature(options).str(), "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0");
  options.word_order = 2;
  options.lowercase = true;
  EXPECT_EQ(chrf_name(options), "chrF2++");
  EXPECT_EQ(chrf_signature(options).str(), "nrefs:1|case:lc|eff:yes|nc:6|nw:2|space:no|version:2.6.0");
  EXPECT_EQ(sentence_chrf("ABC", "abc", options).score, 100.0);
}

}  // namespace
}  // namespace tfm::text
