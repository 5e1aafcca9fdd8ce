// The public C++ API (include/tfm/) against the internals it wraps, and what only it adds:
// option checks, threads sharing a Translator, files in and out.
#include <gtest/gtest.h>

#include <thread>

#include "app/attention_maps.h"
#include "app/model_directory.h"
#include "decode/scorer.h"
#include "decode/translator.h"
#include "demo/number_words.h"
#include "kernels/matmul.h"
#include "support/error_message.h"
#include "support/files.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"
#include "text/evaluation.h"
#include "tfm/tfm.h"

namespace tfm {
namespace {

class TranslatorApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { model_ = new testing::TinyModelDirectory; }
  static void TearDownTestSuite() { delete model_; }

  static std::vector<std::string> sources() {
    std::vector<std::string> lines;
    for (int i = 0; i < 40; ++i) lines.push_back(i % 9 == 4 ? "" : demo::english_number((i * 53) % 400));
    return lines;
  }

  static testing::TinyModelDirectory* model_;
};

testing::TinyModelDirectory* TranslatorApi::model_ = nullptr;

TEST_F(TranslatorApi, TranslationsAndScoresAreThoseOfTheInternals) {
  const Translator translator(model_->path().string(), 1);
  app::ModelDirectory m = app::load_model_directory(model_->path());
  decode::TranslateOptions internal;
  internal.search.beam_size = 3;
  internal.search.n_best = 2;
  // On the Translator's one thread: scores are compared exactly, and a product on two threads
  // may round differently from one on one (seen on an AVX2-only CPU).
  kernels::set_num_threads(1);
  const auto expected = decode::Translator(*m.model, m.tokenizer).translate(sources(), internal);
  TranslationOptions options;
  options.beam_size = 3;
  options.n_best = 2;
  const std::vector<Translation> got = translator.translate(sources(), options);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].hypotheses.size(), expected[i].size()) << i;
    for (size_t k = 0; k < expected[i].size(); ++k) {
      EXPECT_EQ(got[i].hypotheses[k].text, expected[i][k].text);
      EXPECT_EQ(got[i].hypotheses[k].score, expected[i][k].score);
      EXPECT_EQ(got[i].hypotheses[k].pieces.size(), expected[i][k].tokens.size());
    }
    EXPECT_FALSE(got[i].attention.has_value());
  }
  // Scoring the best translations gives the log-probabilities beam search found.
  std::vector<std::string> sentences, best;
  std::vector<double> log_probs;
  for (size_t i = 0; i < got.size(); ++i)
    if (!sources()[i].empty() && got[i].hypotheses[0].pieces.size() < 20) {
      sentences.push_back(sources()[i]);
      best.push_back(got[i].hypotheses[0].text);
      log_probs.push_back(got[i].hypotheses[0].log_prob);
    }
  ASSERT_GE(sentences.size(), 5u);
  const std::vector<double> scores = translator.score(sentences, best);
  for (size_t i = 0; i < scores.size(); ++i) EXPECT_NEAR(scores[i], log_probs[i], 1e-3 * std::abs(log_probs[i])) << i;
}

TEST_F(TranslatorApi, AttentionIsTheCrossAttentionOfTheBestTranslation) {
  const Translator translator(model_->path().string(), 1);
  TranslationOptions options;
  options.return_attention = true;
  const Translation t = translator.translate({"three hundred and twelve"}, options).front();
  ASSERT_TRUE(t.attention.has_value());
  const CrossAttention& a = *t.attention;
  EXPECT_EQ(a.layers, 1);
  EXPECT_EQ(a.heads, 2);
  EXPECT_EQ(a.target_pieces.size(), t.hypotheses[0].pieces.size() + 1);
  EXPECT_EQ(a.target_pieces.back(), "</s>");
  ASSERT_EQ(a.weights.size(), size_t(a.layers * a.heads) * a.target_pieces.size() * a.source_pieces.size());
  app::ModelDirectory m = app::load_model_directory(model_->path());
  std::vector<int32_t> source, target;
  for (int id : m.tokenizer.encode("three hundred and twelve")) source.push_back(id);
  for (const std::string& piece : t.hypotheses[0].pieces)
    for (int id = 0; id < m.tokenizer.vocab_size(); ++id)
      if (m.tokenizer.piece(id) == piece) target.push_back(id);
  const app::SentenceAttention expected = app::extract_attention(*m.model, source, target);
  std::vector<float> flat;
  for (const auto& head : expected.cross[0].heads) flat.insert(flat.end(), head.begin(), head.end());
  EXPECT_EQ(a.weights, flat);
}

TEST_F(TranslatorApi, BadOptionsAndInputAreRefusedWithMessages) {
  const Translator translator(model_->path().string(), 1);
  TranslationOptions options;
  options.beam_size = 0;
  EXPECT_THROW(translator.translate({"one"}, options), std::invalid_argument);
  options.beam_size = 2;
  options.n_best = 3;
  try {
    translator.translate({"one"}, options);
    ADD_FAILURE() << "n_best above beam_size accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "n_best must be between 1 and beam_size (2), got 3");
  }
  try {
    translator.score({"one"}, {std::string(500, 'x')});
    ADD_FAILURE() << "a target longer than the model accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "target 0 has 501 pieces; the model allows 63");
  }
  EXPECT_EQ(testing::error_of([&] { Translator("/no/such/model"); }), "model directory /no/such/model does not exist");
  // Not UTF-8: read as U+FFFD, one translation per source all the same.
  EXPECT_EQ(translator.translate({"one \xFF hundred", "\xC3"}).size(), 2u);
}

TEST_F(TranslatorApi, ThreadsSharingOneTranslatorGetWhatOneThreadGets) {
  const Translator translator(model_->path().string(), 1);
  const std::vector<Translation> expected = translator.translate(sources());
  std::vector<std::vector<Translation>> got(4);
  std::vector<std::thread> threads;
  for (auto& result : got) threads.emplace_back([&] { result = translator.translate(sources()); });
  for (auto& t : threads) t.join();
  for (const auto& result : got) {
    ASSERT_EQ(result.size(), expected.size());
    for (size_t i = 0; i < result.size(); ++i) EXPECT_EQ(result[i].hypotheses[0].text, expected[i].hypotheses[0].text);
  }
}

TEST_F(TranslatorApi, TranslatesFilesAsTheCommandDoes) {
  testing::TempDir dir;
  std::string text;
  for (const std::string& line : sources()) text += line + "\n";
  const std::string input = dir.write_gzip("in.gz", text), output = dir.file("out.txt");
  const Translator translator(model_->path().string(), 1);
  StreamOptions stream;
  stream.progress = false;
  stream.maxi_batch = 1;
  const StreamSummary summary = translator.translate_file(input, output, {}, stream);
  EXPECT_EQ(summary.lines, 40);
  std::string expected;
  for (const Translation& t : translator.translate(sources())) expected += t.hypotheses[0].text + "\n";
  EXPECT_EQ(testing::read_bytes(output), expected);
  EXPECT_EQ(testing::error_of([&] { translator.translate_file(input, dir.file("no/such/dir/out.txt"), {}, stream); }),
            "cannot write '" + dir.file("no/such/dir/out.txt") + "': No such file or directory");
}

TEST(MetricsApi, BleuAndChrfAreWhatTfmBleuPrints) {
  const std::vector<std::string> hyps = {"Ein Hund rennt im Park.", "Zwei Männer reden.", "Eine Katze."};
  const std::vector<std::string> refs = {"Ein Hund läuft im Park.", "Zwei Männer unterhalten sich.", "Eine Katze."};
  text::EvaluationOptions options;
  options.format = text::ReportFormat::kScoreOnly;
  options.width = 6;
  const text::Segments h{"hyps", hyps}, r{"refs", refs};
  EXPECT_EQ(std::stod(text::evaluate(h, r, options)), std::round(bleu(hyps, refs).score * 1e6) / 1e6);
  options.metric = text::Metric::kChrfPlusPlus;
  EXPECT_EQ(std::stod(text::evaluate(h, r, options)), std::round(chrf(hyps, refs, {2, false}).score * 1e6) / 1e6);
  EXPECT_EQ(bleu(hyps, refs).signature, "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0");
  EXPECT_THROW(bleu(hyps, {"one"}), std::invalid_argument);
  EXPECT_THROW(chrf({"\xFF"}, {"x"}), std::invalid_argument);
}

}  // namespace
}  // namespace tfm
