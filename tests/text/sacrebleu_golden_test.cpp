// BLEU and chrF against the numbers sacreBLEU 2.6.0 itself computed for Multi30k-derived
// hypotheses (shared/bleu-golden/expected.json, see the README there): every corpus,
// corpus_head and sentence entry of every config. Integer statistics must match exactly,
// floats within 1e-9 (they agree to the last bit only when the arithmetic order is the
// same), and the printed text and signature character for character.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "text/segments.h"
#include "text/sacrebleu_expectations.h"

namespace tfm::text {
namespace {

using nlohmann::json;
using testing::config_named;
using testing::FloatTally;
using testing::SacreBleuConfig;

const std::filesystem::path kGoldenDir = std::filesystem::path(TFM_SHARED_DIR) / "bleu-golden";

class SacreBleuGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kGoldenDir / "expected.json")) {
      GTEST_SKIP() << "sacreBLEU goldens not found at " << kGoldenDir << " (the shared data folder is absent)";
    }
    std::ifstream in(kGoldenDir / "expected.json");
    expected_ = json::parse(in);
  }

  void TearDown() override {
    if (floats_.count() > 0) std::cout << "  " << floats_.summary() << "\n";
  }

  // The lines of a file named relative to the golden folder, read once.
  const std::vector<std::string>& lines(const std::string& relative_path) {
    auto it = files_.find(relative_path);
    if (it == files_.end()) {
      it = files_.emplace(relative_path, read_segments_file((kGoldenDir / relative_path).string()).lines).first;
    }
    return it->second;
  }

  // The first `count` lines of the entry's hypothesis and reference files (all when 0).
  std::pair<std::vector<std::string>, std::vector<std::string>> inputs(const json& entry, size_t count) {
    const std::vector<std::string>& hyps = lines(entry["hyp"]);
    const std::vector<std::string>& refs = lines(entry["ref"]);
    EXPECT_EQ(hyps.size(), refs.size()) << entry["hyp"];
    const size_t n = count ? std::min(count, hyps.size()) : hyps.size();
    return {{hyps.begin(), hyps.begin() + n}, {refs.begin(), refs.begin() + n}};
  }

  // A corpus or corpus_head entry.
  void check_corpus_entry(const json& entry) {
    const SacreBleuConfig config = config_named(entry["config"]);
    const auto [hyps, refs] = inputs(entry, entry.value("first_lines", size_t{0}));
    const std::string where = entry["hyp"].get<std::string>() + " " + entry["config"].get<std::string>();
    if (config.is_bleu) {
      testing::expect_bleu_matches(entry, corpus_bleu(hyps, refs, config.bleu), config.bleu, where, floats_);
    } else {
      testing::expect_chrf_matches(entry, corpus_chrf(hyps, refs, config.chrf), config.chrf, where, floats_);
    }
  }

  json expected_;
  std::map<std::string, std::vector<std::string>> files_;
  FloatTally floats_;
};

TEST_F(SacreBleuGolden, CorpusScores) {
  ASSERT_EQ(expected_["corpus"].size(), 90u);
  for (const json& entry : expected_["corpus"]) check_corpus_entry(entry);
  // the files are the ones expected.json was computed from
  for (const auto& [id, hypothesis] : expected_["hypotheses"].items()) {
    EXPECT_EQ(lines(hypothesis["path"]).size(), hypothesis["lines"].get<size_t>()) << id;
  }
}

TEST_F(SacreBleuGolden, CorpusScoresOverFirstLines) {
  ASSERT_EQ(expected_["corpus_head"].size(), 15u);
  for (const json& entry : expected_["corpus_head"]) check_corpus_entry(entry);
}

TEST_F(SacreBleuGolden, SentenceScores) {
  int checked = 0;
  for (const json& entry : expected_["sentence"]) {
    const SacreBleuConfig config = config_named(entry["config"]);
    const auto [hyps, refs] = inputs(entry, entry["first_lines"]);
    for (const json& result : entry["results"]) {
      // the per-line records carry no signature: it is the entry's
      json want = result;
      want["signature"] = entry["signature"];
      const size_t i = result["line"].get<size_t>() - 1;
      const std::string where = entry["hyp"].get<std::string>() + ":" + std::to_string(i + 1) + " " +
                                entry["config"].get<std::string>();
      if (config.is_bleu) {
        testing::expect_bleu_matches(want, sentence_bleu(hyps.at(i), refs.at(i), config.bleu), config.bleu, where,
                                     floats_);
      } else {
        testing::expect_chrf_matches(want, sentence_chrf(hyps.at(i), refs.at(i), config.chrf), config.chrf, where,
                                     floats_);
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 120);
}

}  // namespace
}  // namespace tfm::text
