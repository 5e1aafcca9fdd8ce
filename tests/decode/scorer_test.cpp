#include "decode/scorer.h"

#include <gtest/gtest.h>

#include "decode/beam_search.h"
#include "decode/search_batch.h"

namespace tfm::decode {
namespace {

// Forced decoding (teacher-forced forward pass, batched and padded) must give the
// log-probability that beam search accumulated token by token with cached decoder states:
// two independent code paths over the same model.
TEST(Scorer, AgreesWithTheLogProbabilitiesOfBeamSearch) {
  io::ModelConfig c;
  c.vocab_size = 15;
  c.d_model = 16;
  c.nhead = 2;
  c.dim_feedforward = 32;
  c.num_encoder_layers = c.num_decoder_layers = 2;
  c.max_positions = 64;
  nn::Transformer model(c);
  model.initialize(17);
  // A random model rarely ends a sentence; favour EOS so that the hypotheses end with it.
  model.parameters().find("generator.bias")->param.value.data[c.eos_id] = 2.5f;
  const std::vector<std::vector<int32_t>> sources_with_eos = {{5, 6, 7, 3}, {8, 3}, {9, 10, 11, 12, 13, 14, 3}};
  SearchOptions options;
  options.beam_size = 3;
  options.n_best = 2;
  Workspace workspace;
  SearchBatch search(model, workspace);
  const auto results = beam_search(search, sources_with_eos, options);
  std::vector<std::vector<int32_t>> sources, targets;
  std::vector<double> expected;
  for (size_t i = 0; i < results.size(); ++i)
    for (const Hypothesis& h : results[i]) {
      if (int(h.tokens.size()) >= int(1.5 * double(sources_with_eos[i].size())) + 10) continue;  // cut, no EOS
      sources.emplace_back(sources_with_eos[i].begin(), sources_with_eos[i].end() - 1);
      targets.push_back(h.tokens);
      expected.push_back(h.log_prob);
    }
  ASSERT_GE(expected.size(), 3u);
  const auto scores = score_pairs(model, sources, targets, 2);  // batches of 2: padding matters
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(scores[i], expected[i], 1e-3 * std::abs(expected[i])) << i;
}

}  // namespace
}  // namespace tfm::decode
