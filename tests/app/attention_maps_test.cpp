#include "app/attention_maps.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "tensor/random.h"
#include "viz/xml_checker.h"

namespace tfm::app {
namespace {

using tfm::testing::TempDir;

std::vector<std::string> generated_sentences(const std::vector<std::string>& words, int count, uint64_t seed) {
  SplitMix64 rng(seed);
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) {
    std::string line;
    const int length = 3 + static_cast<int>(rng.next() % 6);
    for (int w = 0; w < length; ++w) line += (w ? " " : "") + words[rng.next() % words.size()];
    lines.push_back(line + ".");
  }
  return lines;
}

constexpr int kHeads = 2;
constexpr int kEncoderLayers = 2;
constexpr int kDecoderLayers = 3;

io::ModelConfig tiny_config(int vocab_size) {
  io::ModelConfig c;
  c.vocab_size = vocab_size;
  c.d_model = 16;
  c.nhead = kHeads;
  c.dim_feedforward = 24;
  c.num_encoder_layers = kEncoderLayers;
  c.num_decoder_layers = kDecoderLayers;
  c.dropout = c.attention_dropout = c.activation_dropout = 0.3;  // must not apply
  c.tie_embeddings = true;
  c.max_positions = 40;
  return c;
}

// A tiny SentencePiece model and a randomly initialised model sharing its vocabulary.
class TinyModel : public ::testing::Test {
 protected:
  static constexpr int kVocabSize = 40;

  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    const auto english = generated_sentences({"a", "dog", "runs", "through", "the", "green", "field", "two"}, 200, 1);
    const auto german = generated_sentences({"ein", "Hund", "läuft", "über", "die", "grüne", "Wiese", "zwei"}, 200, 2);
    text::Tokenizer::train_joint(english, german, dir_->file("spm.model"), kVocabSize);
    tokenizer_ = std::make_unique<text::Tokenizer>(text::Tokenizer::load(dir_->file("spm.model")));
    model_ = std::make_unique<nn::Transformer>(tiny_config(kVocabSize));
    model_->initialize(5);
  }
  static void TearDownTestSuite() {
    model_.reset();
    tokenizer_.reset();
    dir_.reset();
  }

  static std::vector<int32_t> pieces(const std::string& text) {
    const std::vector<int> ids = tokenizer_->encode(text);
    return {ids.begin(), ids.end()};
  }
  static std::vector<std::string> labels(const std::vector<int32_t>& ids) {
    std::vector<std::string> out;
    for (int32_t id : ids) out.push_back(tokenizer_->piece(id));
    return out;
  }

  static std::unique_ptr<TempDir> dir_;
  static std::unique_ptr<text::Tokenizer> tokenizer_;
  static std::unique_ptr<nn::Transformer> model_;
};
std::unique_ptr<TempDir> TinyModel::dir_;
std::unique_ptr<text::Tokenizer> TinyModel::tokenizer_;
std::unique_ptr<nn::Transformer> TinyModel::model_;

const std::string kSource = "a dog runs through the green field.";
const std::string kTarget = "ein Hund läuft über die Wiese.";

double row_sum(const std::vector<float>& weights, int64_t row, int64_t columns) {
  double sum = 0.0;
  for (int64_t c = 0; c < columns; ++c) sum += weights[size_t(row * columns + c)];
  return sum;
}

TEST_F(TinyModel, MapsHaveOneEntryPerLayerAndTheSentencePairsShape) {
  const auto source = pieces(kSource), target = pieces(kTarget);
  const SentenceAttention a = extract_attention(*model_, source, target);
  const int64_t source_len = int64_t(source.size()) + 1, target_len = int64_t(target.size()) + 1;
  ASSERT_EQ(a.encoder_self.size(), size_t(kEncoderLayers));
  ASSERT_EQ(a.decoder_self.size(), size_t(kDecoderLayers));
  ASSERT_EQ(a.cross.size(), size_t(kDecoderLayers));
  for (const AttentionMap& m : a.encoder_self) EXPECT_TRUE(m.rows == source_len && m.columns == source_len);
  for (const AttentionMap& m : a.decoder_self) EXPECT_TRUE(m.rows == target_len && m.columns == target_len);
  for (const AttentionMap& m : a.cross) EXPECT_TRUE(m.rows == target_len && m.columns == source_len);
  for (const auto* maps : {&a.encoder_self, &a.decoder_self, &a.cross})
    for (const AttentionMap& m : *maps) {
      ASSERT_EQ(m.heads.size(), size_t(kHeads));
      for (const auto& head : m.heads) EXPECT_EQ(head.size(), size_t(m.rows * m.columns));
    }
  std::vector<int32_t> framed_source = source, decoder_input = {model_->config().bos_id}, framed_target = target;
  framed_source.push_back(model_->config().eos_id);
  decoder_input.insert(decoder_input.end(), target.begin(), target.end());
  framed_target.push_back(model_->config().eos_id);
  EXPECT_EQ(a.source, framed_source);
  EXPECT_EQ(a.decoder_input, decoder_input);
  EXPECT_EQ(a.target, framed_target);
}

TEST_F(TinyModel, EveryRowIsADistributionOverTheKeys) {
  const SentenceAttention a = extract_attention(*model_, pieces(kSource), pieces(kTarget));
  for (const auto* maps : {&a.encoder_self, &a.decoder_self, &a.cross})
    for (const AttentionMap& m : *maps)
      for (const auto* panel : {&m.heads[0], &m.heads[1], &m.average})
        for (int64_t r = 0; r < m.rows; ++r) {
          EXPECT_NEAR(row_sum(*panel, r, m.columns), 1.0, 1e-5) << "row " << r;
          for (int64_t c = 0; c < m.columns; ++c) EXPECT_GE((*panel)[size_t(r * m.columns + c)], 0.0f);
        }
}

TEST_F(TinyModel, DecoderSelfAttentionSeesNoLaterPosition) {
  const SentenceAttention a = extract_attention(*model_, pieces(kSource), pieces(kTarget));
  for (const AttentionMap& m : a.decoder_self)
    for (const auto* panel : {&m.heads[0], &m.heads[1], &m.average})
      for (int64_t r = 0; r < m.rows; ++r) {
        for (int64_t c = r + 1; c < m.columns; ++c) EXPECT_EQ((*panel)[size_t(r * m.columns + c)], 0.0f);
        EXPECT_GT((*panel)[size_t(r * m.columns + r)], 0.0f);
      }
}

TEST_F(TinyModel, AverageIsTheMeanOfTheHeads) {
  const SentenceAttention a = extract_attention(*model_, pieces(kSource), pieces(kTarget));
  for (const auto* maps : {&a.encoder_self, &a.decoder_self, &a.cross})
    for (const AttentionMap& m : *maps)
      for (size_t i = 0; i < m.average.size(); ++i)
        EXPECT_NEAR(m.average[i], (double(m.heads[0][i]) + double(m.heads[1][i])) / 2.0, 1e-7);
}

// The teacher-forced maps against the weights the incremental decoder computes one position
// at a time (another code path): row t of each map is what decoding step t attends to.
TEST_F(TinyModel, RowsEqualTheWeightsOfIncrementalDecoding) {
  const auto source = pieces(kSource), target = pieces(kTarget);
  const SentenceAttention a = extract_attention(*model_, source, target);
  Workspace ws, step_ws;
  nn::StepContext ctx{ws, false}, step_ctx{step_ws, false};
  const int32_t source_length = int32_t(a.source.size());
  Tensor memory = model_->encode(ctx, a.source.data(), &source_length, 1, source_length);
  nn::DecoderCache cache = model_->new_decoding();
  const int32_t one_row = 1;
  model_->add_to_decoding(ctx, cache, memory, &source_length, 1, source_length, &one_row,
                          int64_t(a.decoder_input.size()));
  for (size_t t = 0; t < a.decoder_input.size(); ++t) {
    step_ws.reset();
    model_->decode_step(step_ctx, &a.decoder_input[t], cache);
    for (size_t layer = 0; layer < size_t(kDecoderLayers); ++layer) {
      const nn::DecoderLayer& l = model_->decoder().layers()[layer];
      const Tensor& cross = l.cross_attention().weights();      // [1, heads, 1, source_len]
      const Tensor& self = l.self_attention().weights();        // [1, heads, 1, t + 1]
      for (int64_t h = 0; h < kHeads; ++h) {
        const AttentionMap& c = a.cross[layer];
        for (int64_t s = 0; s < c.columns; ++s)
          EXPECT_NEAR(c.heads[size_t(h)][t * size_t(c.columns) + size_t(s)], cross.data[h * c.columns + s], 1e-5)
              << "layer " << layer << " head " << h << " position " << t << " source " << s;
        const AttentionMap& d = a.decoder_self[layer];
        for (size_t s = 0; s <= t; ++s)
          EXPECT_NEAR(d.heads[size_t(h)][t * size_t(d.columns) + s], self.data[size_t(h) * (t + 1) + s], 1e-5)
              << "layer " << layer << " head " << h << " position " << t << " key " << s;
      }
    }
  }
}

TEST_F(TinyModel, TooLongASideIsRejected) {
  const std::vector<int32_t> too_long(size_t(model_->config().max_positions), 10), fine = {10, 11};
  EXPECT_THROW(extract_attention(*model_, too_long, fine), std::invalid_argument);
  EXPECT_THROW(extract_attention(*model_, fine, too_long), std::invalid_argument);
  const std::vector<int32_t> longest(size_t(model_->config().max_positions - 1), 10);
  EXPECT_NO_THROW(extract_attention(*model_, longest, longest));
}

TEST_F(TinyModel, FigureHasARowPerLayerAndAPanelPerHeadPlusTheAverage) {
  const auto source = pieces(kSource), target = pieces(kTarget);
  const SentenceAttention a = extract_attention(*model_, source, target);
  const viz::AttentionFigure cross_only = attention_figure(a, *tokenizer_, false);
  ASSERT_EQ(cross_only.panel_rows.size(), size_t(kDecoderLayers));
  for (const auto& row : cross_only.panel_rows) EXPECT_EQ(row.size(), size_t(kHeads + 1));
  EXPECT_EQ(cross_only.panel_rows[1][0].title, "cross layer 2, head 1");
  EXPECT_EQ(cross_only.panel_rows[1][kHeads].title, "cross layer 2, average");
  EXPECT_EQ(cross_only.panel_rows[1][1].weights, a.cross[1].heads[1]);
  EXPECT_EQ(cross_only.panel_rows[1][kHeads].weights, a.cross[1].average);
  EXPECT_EQ(cross_only.title, kSource + " → " + kTarget);

  const viz::AttentionFigure all = attention_figure(a, *tokenizer_, true);
  ASSERT_EQ(all.panel_rows.size(), size_t(kEncoderLayers + 2 * kDecoderLayers));
  size_t panels = 0;
  for (const auto& row : all.panel_rows) panels += row.size();
  EXPECT_EQ(panels, size_t((kEncoderLayers + 2 * kDecoderLayers) * (kHeads + 1)));
  EXPECT_EQ(all.panel_rows[0][0].title, "encoder self layer 1, head 1");
  EXPECT_EQ(all.panel_rows[kEncoderLayers][0].title, "decoder self layer 1, head 1");
  EXPECT_EQ(all.panel_rows[kEncoderLayers + kDecoderLayers][0].title, "cross layer 1, head 1");
}

TEST_F(TinyModel, FigureLabelsArePiecesWithTheSpecials) {
  const auto source = pieces(kSource), target = pieces(kTarget);
  const viz::AttentionFigure f = attention_figure(extract_attention(*model_, source, target), *tokenizer_, true);
  std::vector<std::string> source_labels = labels(source), target_labels = labels(target);
  source_labels.push_back("</s>");
  target_labels.push_back("</s>");
  std::vector<std::string> decoder_input_labels = {"<s>"};
  const auto target_pieces = labels(target);
  decoder_input_labels.insert(decoder_input_labels.end(), target_pieces.begin(), target_pieces.end());
  const viz::AttentionPanel& encoder = f.panel_rows[0][0];
  EXPECT_EQ(encoder.row_labels, source_labels);
  EXPECT_EQ(encoder.column_labels, source_labels);
  const viz::AttentionPanel& decoder = f.panel_rows[kEncoderLayers][0];
  EXPECT_EQ(decoder.row_labels, target_labels);
  EXPECT_EQ(decoder.column_labels, decoder_input_labels);
  const viz::AttentionPanel& cross = f.panel_rows.back().back();
  EXPECT_EQ(cross.row_labels, target_labels);
  EXPECT_EQ(cross.column_labels, source_labels);
  EXPECT_EQ(source_labels.front(), "\u2581a");
}

TEST_F(TinyModel, FigureRendersOnePanelGroupPerPanel) {
  const viz::AttentionFigure f =
      attention_figure(extract_attention(*model_, pieces(kSource), pieces(kTarget)), *tokenizer_, true);
  const auto svg = viz::xml_check::parse_xml(viz::render_attention_heatmaps(f));
  size_t panels = 0;
  for (const auto* g : svg.descendants("g")) panels += g->attribute("class") == "panel";
  EXPECT_EQ(panels, size_t((kEncoderLayers + 2 * kDecoderLayers) * (kHeads + 1)));
}

}  // namespace
}  // namespace tfm::app
