// BLEU, chrF and `tfm bleu`'s output on the small committed fixture
// (tests/fixtures/bleu: 13 hand-made lines full of tokenizer and whitespace traps),
// against what sacreBLEU 2.6.0 computed and printed for it (expected.json there; see its
// README for provenance). Always runs, unlike the golden test on the shared data.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "text/evaluation.h"
#include "text/sacrebleu_expectations.h"
#include "text/segments.h"

namespace tfm::text {
namespace {

using nlohmann::json;
using testing::config_named;
using testing::FloatTally;
using testing::SacreBleuConfig;

const std::string kDir = std::string(TFM_FIXTURES_DIR) + "/bleu/";

json load_expected() {
  std::ifstream in(kDir + "expected.json");
  EXPECT_TRUE(in) << "cannot open " << kDir << "expected.json";
  return json::parse(in);
}

// The `tfm bleu` options equivalent to a sacrebleu command line's options.
EvaluationOptions options_for_sacrebleu_args(const std::string& args) {
  EvaluationOptions options;
  std::istringstream in(args);
  std::string word;
  while (in >> word) {
    std::string value;
    if (word == "-m") {
      in >> value;
      options.metric = value == "bleu" ? Metric::kBleu : Metric::kChrf;
    } else if (word == "-cw") {
      in >> value;
      EXPECT_EQ(value, "2");
      options.metric = Metric::kChrfPlusPlus;
    } else if (word == "-tok") {
      in >> value;
      options.tokenizer = parse_bleu_tokenizer(value);
    } else if (word == "-lc" || word == "--chrf-lowercase") {
      options.lowercase = true;
    } else if (word == "-sl") {
      options.sentence_level = true;
    } else if (word == "-b") {
      options.format = ReportFormat::kScoreOnly;
    } else if (word == "-f") {
      in >> value;
      EXPECT_EQ(value, "text");
      options.format = ReportFormat::kText;
    } else if (word == "-w") {
      in >> options.width;
    } else {
      ADD_FAILURE() << "unexpected sacrebleu option " << word;
    }
  }
  return options;
}

class SacreBleuFixture : public ::testing::Test {
 protected:
  void TearDown() override {
    if (floats_.count() > 0) std::cout << "  " << floats_.summary() << "\n";
  }

  json expected_ = load_expected();
  Segments hyps_ = read_segments_file(kDir + "hyp.txt");
  Segments refs_ = read_segments_file(kDir + "ref.txt");
  FloatTally floats_;
};

TEST_F(SacreBleuFixture, ReadsLinesAsSacreBleu) {
  // hyp.txt has no final newline, and line 8 ends in "\x1c \t\r"; ref.txt line 12 holds
  // U+2028, U+0085 and a lone "\r", none of which ends a line for sacreBLEU
  ASSERT_EQ(hyps_.lines.size(), 13u);
  ASSERT_EQ(refs_.lines.size(), 13u);
  EXPECT_EQ(hyps_.lines[7], "Ein Kind im Jahr 1999.");
  EXPECT_EQ(hyps_.lines[9], "");
  EXPECT_EQ(refs_.lines[11], "Zeile\u2028eins\u0085zwei\rdrei");
  EXPECT_EQ(refs_.lines[12], "\u3000Es ist a &amp;lt; b.");  // leading whitespace stays
}

TEST_F(SacreBleuFixture, CorpusScores) {
  for (const auto& [name, want] : expected_["corpus"].items()) {
    const SacreBleuConfig config = config_named(name);
    if (config.is_bleu) {
      testing::expect_bleu_matches(want, corpus_bleu(hyps_.lines, refs_.lines, config.bleu), config.bleu, name, floats_);
    } else {
      testing::expect_chrf_matches(want, corpus_chrf(hyps_.lines, refs_.lines, config.chrf), config.chrf, name, floats_);
    }
  }
}

TEST_F(SacreBleuFixture, SentenceScores) {
  for (const auto& [name, lines] : expected_["sentence"].items()) {
    const SacreBleuConfig config = config_named(name);
    ASSERT_EQ(lines.size(), hyps_.lines.size()) << name;
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string where = name + " line " + std::to_string(i + 1);
      const std::string& hyp = hyps_.lines[i];
      const std::string& ref = refs_.lines[i];
      if (config.is_bleu) {
        testing::expect_bleu_matches(lines[i], sentence_bleu(hyp, ref, config.bleu), config.bleu, where, floats_);
      } else {
        testing::expect_chrf_matches(lines[i], sentence_chrf(hyp, ref, config.chrf), config.chrf, where, floats_);
      }
    }
  }
}

TEST_F(SacreBleuFixture, PrintsWhatTheSacreBleuCommandLinePrints) {
  ASSERT_FALSE(expected_["cli"].empty());
  for (const json& run : expected_["cli"]) {
    const std::string args = run["args"];
    EXPECT_EQ(evaluate(hyps_, refs_, options_for_sacrebleu_args(args)), run["stdout"].get<std::string>())
        << "sacrebleu ref.txt -i hyp.txt " << args;
  }
}

}  // namespace
}  // namespace tfm::text
