#pragma once
// Shared by the golden and fixture tests: compare our BLEU/chrF results with records that
// sacreBLEU wrote (score, precisions, bp, ratio, lengths, counts, totals or chrF stats,
// its width-2 text), and map their config names to our options.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "text/bleu.h"
#include "text/chrf.h"

namespace tfm::text::testing {

// One metric configuration of an expected.json ("bleu_intl", "sentence_chrfpp", ...).
struct SacreBleuConfig {
  bool is_bleu = true;
  BleuOptions bleu;
  ChrfOptions chrf;
};

// Names: [sentence_]bleu[_intl|_none|_lc|_floor|_add_k|_no_smoothing], [sentence_]chrf[_lc],
// [sentence_]chrfpp. The sentence_ BLEU configs use effective order, as sacrebleu -sl does.
inline SacreBleuConfig config_named(std::string name) {
  SacreBleuConfig config;
  const std::string sentence = "sentence_";
  if (name.rfind(sentence, 0) == 0) {
    name = name.substr(sentence.size());
    config.bleu.effective_order = true;
  }
  if (name.rfind("chrf", 0) == 0) {
    config.is_bleu = false;
    if (name == "chrfpp") config.chrf.word_order = 2;
    else if (name == "chrf_lc") config.chrf.lowercase = true;
    else EXPECT_EQ(name, "chrf") << "unknown config";
    return config;
  }
  if (name == "bleu_intl") config.bleu.tokenizer = BleuTokenizer::kIntl;
  else if (name == "bleu_none") config.bleu.tokenizer = BleuTokenizer::kNone;
  else if (name == "bleu_lc") config.bleu.lowercase = true;
  else if (name == "bleu_floor") config.bleu.smoothing = BleuSmoothing::kFloor;
  else if (name == "bleu_add_k") config.bleu.smoothing = BleuSmoothing::kAddK;
  else if (name == "bleu_no_smoothing") config.bleu.smoothing = BleuSmoothing::kNone;
  else EXPECT_EQ(name, "bleu") << "unknown config";
  return config;
}

// Compares floats within a tolerance and keeps count of how many agree to the last bit.
class FloatTally {
 public:
  static constexpr double kTolerance = 1e-9;
  void expect_close(double got, double want, const std::string& where) {
    EXPECT_NEAR(got, want, kTolerance) << where;
    largest_difference_ = std::max(largest_difference_, std::abs(got - want));
    ++count_;
    identical_ += got == want;
  }
  int count() const { return count_; }
  std::string summary() const {
    return std::to_string(identical_) + " of " + std::to_string(count_) +
           " floats bit-identical to sacreBLEU, largest difference " + std::to_string(largest_difference_);
  }

 private:
  double largest_difference_ = 0.0;
  int count_ = 0;
  int identical_ = 0;
};

inline void expect_bleu_matches(const nlohmann::json& want, const BleuScore& got, const BleuOptions& options,
                                const std::string& where, FloatTally& floats) {
  EXPECT_EQ(got.stats.sys_len, want["sys_len"].get<int64_t>()) << where;
  EXPECT_EQ(got.stats.ref_len, want["ref_len"].get<int64_t>()) << where;
  // sacreBLEU's add-k adds k (here 1) to the counts and totals of orders 2-4 that it
  // reports, unless nothing matched at all; ours stay raw.
  const bool any_match = std::any_of(got.stats.counts.begin(), got.stats.counts.end(), [](int64_t c) { return c > 0; });
  for (int n = 0; n < kBleuMaxOrder; ++n) {
    const int64_t added = options.smoothing == BleuSmoothing::kAddK && any_match && n > 0 ? 1 : 0;
    const std::string order = where + " order " + std::to_string(n + 1);
    EXPECT_EQ(got.stats.counts[n] + added, want["counts"][n].get<int64_t>()) << order;
    EXPECT_EQ(got.stats.totals[n] + added, want["totals"][n].get<int64_t>()) << order;
    floats.expect_close(got.precisions[n], want["precisions"][n], order + " precision");
  }
  floats.expect_close(got.score, want["score"], where + " score");
  floats.expect_close(got.bp, want["bp"], where + " bp");
  floats.expect_close(got.ratio, want["ratio"], where + " ratio");
  EXPECT_EQ(format_score_line(bleu_report(got, options), 2, false), want["text"].get<std::string>()) << where;
  EXPECT_EQ(bleu_signature(options).str(), want["signature"].get<std::string>()) << where;
}

inline void expect_chrf_matches(const nlohmann::json& want, const ChrfScore& got, const ChrfOptions& options,
                                const std::string& where, FloatTally& floats) {
  ASSERT_EQ(got.stats.size(), want["stats"].size()) << where;
  for (size_t k = 0; k < got.stats.size(); ++k) {
    const NgramMatches expected{want["stats"][k][0], want["stats"][k][1], want["stats"][k][2]};
    EXPECT_EQ(got.stats[k], expected) << where << " order index " << k << ": got [" << got.stats[k].hyp << ", "
                                      << got.stats[k].ref << ", " << got.stats[k].match << "]";
  }
  floats.expect_close(got.score, want["score"], where + " score");
  EXPECT_EQ(format_score_line(chrf_report(got, options), 2, false), want["text"].get<std::string>()) << where;
  EXPECT_EQ(chrf_signature(options).str(), want["signature"].get<std::string>()) << where;
}

}  // namespace tfm::text::testing
