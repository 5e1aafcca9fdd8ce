#include "decode/search_batch.h"

#include <gtest/gtest.h>

#include <map>

namespace tfm::decode {
namespace {

io::ModelConfig tiny_config() {
  io::ModelConfig c;
  c.vocab_size = 14;
  c.d_model = 16;
  c.nhead = 2;
  c.dim_feedforward = 32;
  c.num_encoder_layers = c.num_decoder_layers = 2;
  c.max_positions = 64;
  return c;
}

SearchOptions options_of(int beam, int n_best, double alpha) {
  SearchOptions o;
  o.beam_size = beam;
  o.n_best = n_best;
  o.length_penalty = alpha;
  o.max_length_offset = 12;
  return o;
}

void expect_same(const std::vector<Hypothesis>& got, const std::vector<Hypothesis>& expected, uint64_t id) {
  ASSERT_EQ(got.size(), expected.size()) << "sentence " << id;
  for (size_t k = 0; k < got.size(); ++k) {
    EXPECT_EQ(got[k].tokens, expected[k].tokens) << "sentence " << id << " hypothesis " << k;
    EXPECT_NEAR(got[k].score, expected[k].score, 1e-4) << "sentence " << id << " hypothesis " << k;
    EXPECT_NEAR(got[k].log_prob, expected[k].log_prob, 1e-4) << "sentence " << id << " hypothesis " << k;
  }
}

// Sentences that join a running batch at different steps, each with its own beam and
// length penalty, get what they get when decoded alone; finished ones leave at once.
TEST(SearchBatch, SentencesJoiningMidwayGetWhatTheyGetAlone) {
  nn::Transformer model(tiny_config());
  model.initialize(8);
  const std::vector<SearchBatch::Sentence> sentences = {
      {0, {5, 6, 7, 3}, options_of(4, 2, 0.6)},        {1, {8, 3}, options_of(1, 1, 0.6)},
      {2, {9, 10, 11, 4, 5, 3}, options_of(3, 3, 1.0)}, {3, {3}, options_of(2, 1, 0.0)},
      {4, {12, 13, 6, 3}, options_of(5, 1, 0.6)},       {5, {7, 7, 7, 7, 7, 7, 7, 3}, options_of(4, 4, 0.6)},
  };
  Workspace workspace;
  SearchBatch search(model, workspace);
  std::map<uint64_t, std::vector<Hypothesis>> alone;
  for (const auto& s : sentences) alone[s.id] = beam_search(search, {s.source}, s.options).front();

  SearchBatch batch(model, workspace);
  std::map<uint64_t, std::vector<Hypothesis>> together;
  // Two join at once, one after a step, three more after three steps.
  const std::vector<std::vector<SearchBatch::Sentence>> arrivals = {
      {sentences[0], sentences[1]}, {sentences[2]}, {}, {}, {sentences[3], sentences[4], sentences[5]}};
  int64_t open_rows = 0;  // beams of the sentences that joined and are not finished
  for (size_t step = 0; step < arrivals.size() || !batch.empty(); ++step) {
    if (step < arrivals.size()) {
      batch.add(arrivals[step]);
      for (const auto& s : arrivals[step]) open_rows += s.options.beam_size;
    }
    for (SearchBatch::Finished& f : batch.step()) {
      EXPECT_FALSE(together.contains(f.id)) << "sentence " << f.id << " finished twice";
      open_rows -= sentences[f.id].options.beam_size;
      together[f.id] = std::move(f.hypotheses);
    }
    EXPECT_EQ(batch.rows(), open_rows) << "after step " << step;
  }
  EXPECT_EQ(batch.rows(), 0);
  ASSERT_EQ(together.size(), sentences.size());
  for (const auto& s : sentences) expect_same(together[s.id], alone[s.id], s.id);
}

}  // namespace
}  // namespace tfm::decode
