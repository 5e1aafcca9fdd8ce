#include "decode/beam_search.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "decode/search_batch.h"
#include "kernels/cross_entropy.h"

namespace tfm::decode {
namespace {

io::ModelConfig tiny_config(int vocab) {
  io::ModelConfig c;
  c.vocab_size = vocab;
  c.d_model = 16;
  c.nhead = 2;
  c.dim_feedforward = 32;
  c.num_encoder_layers = c.num_decoder_layers = 2;
  c.max_positions = 64;
  return c;
}

// Reference greedy decoding: the whole prefix recomputed by the teacher-forced forward pass
// at every step, argmax of the last position, until EOS or the length limit.
std::vector<int32_t> greedy_by_recomputing(nn::Transformer& model, const std::vector<int32_t>& source, int max_len) {
  const io::ModelConfig& c = model.config();
  std::vector<int32_t> prefix = {c.bos_id}, out;
  for (int step = 0; step < max_len; ++step) {
    Batch b;
    b.batch_size = 1;
    b.src_len = int(source.size());
    b.tgt_len = int(prefix.size());
    b.src_ids = source;
    b.src_lengths = {b.src_len};
    b.tgt_in_ids = prefix;
    b.tgt_out_ids.assign(prefix.size(), c.pad_id);
    b.tgt_lengths = {b.tgt_len};
    Workspace ws;
    nn::StepContext ctx{ws, false};
    Tensor logits = model.forward(ctx, b);
    const float* last = logits.row(b.tgt_len - 1);
    const int32_t token = int32_t(std::max_element(last, last + c.vocab_size) - last);
    if (token == c.eos_id) break;
    out.push_back(token);
    prefix.push_back(token);
  }
  return out;
}

TEST(BeamSearch, BeamOneIsGreedy) {
  nn::Transformer model(tiny_config(12));
  model.initialize(21);
  const std::vector<std::vector<int32_t>> sources = {{5, 6, 7, 3}, {8, 3}, {9, 10, 11, 4, 5, 3}};
  SearchOptions options;
  options.beam_size = 1;
  Workspace workspace;
  SearchBatch search(model, workspace);
  const auto results = beam_search(search, sources, options);
  ASSERT_EQ(results.size(), sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    const int max_len = int(1.5 * double(sources[i].size())) + 10;
    EXPECT_EQ(results[i].at(0).tokens, greedy_by_recomputing(model, sources[i], max_len)) << "sentence " << i;
  }
}

// log P(tokens [+ EOS] | source) by the teacher-forced forward pass.
double sequence_log_prob(nn::Transformer& model, const std::vector<int32_t>& source, const std::vector<int32_t>& tokens,
                         bool with_eos) {
  const io::ModelConfig& c = model.config();
  Batch b;
  b.batch_size = 1;
  b.src_len = int(source.size());
  b.src_ids = source;
  b.src_lengths = {b.src_len};
  b.tgt_out_ids = tokens;
  if (with_eos) b.tgt_out_ids.push_back(c.eos_id);
  b.tgt_len = int(b.tgt_out_ids.size());
  b.tgt_in_ids = {c.bos_id};
  b.tgt_in_ids.insert(b.tgt_in_ids.end(), b.tgt_out_ids.begin(), b.tgt_out_ids.end() - 1);
  b.tgt_lengths = {b.tgt_len};
  Workspace ws;
  nn::StepContext ctx{ws, false};
  Tensor logits = model.forward(ctx, b);
  kernels::log_softmax(logits.data, logits.rows(), logits.cols());
  double sum = 0.0;
  for (int t = 0; t < b.tgt_len; ++t) sum += logits.row(t)[b.tgt_out_ids[t]];
  return sum;
}

// With a beam wide enough to keep every prefix, beam search must find the exact optimum
// of the length-penalised score, found here by enumerating every output.
TEST(BeamSearch, WideBeamFindsTheExhaustiveOptimum) {
  const int vocab = 6;  // ids 0-3 special, 4-5 words
  nn::Transformer model(tiny_config(vocab));
  model.initialize(4);
  const std::vector<int32_t> source = {4, 5, 3};
  SearchOptions options;
  options.beam_size = 64;
  options.max_length_ratio = 0.0;
  options.max_length_offset = 3;  // outputs of at most 3 tokens, the last EOS or cut
  options.n_best = 3;
  Workspace workspace;
  SearchBatch search(model, workspace);
  const auto results = beam_search(search, {source}, options);

  // Every output ending in EOS within 3 tokens: sequences of 0..2 non-EOS ids (the decoder
  // may emit any id, pad/unk/bos included) followed by EOS.
  struct Scored {
    std::vector<int32_t> tokens;
    double score;
  };
  std::vector<Scored> all;
  std::vector<std::vector<int32_t>> prefixes = {{}};
  for (int len = 0; len <= 2; ++len) {
    std::vector<std::vector<int32_t>> longer;
    for (const auto& p : prefixes) {
      const double lp = sequence_log_prob(model, source, p, true);
      all.push_back({p, lp / length_penalty(int64_t(p.size()) + 1, options.length_penalty)});
      for (int v = 0; v < vocab; ++v)
        if (v != 3) {
          auto q = p;
          q.push_back(v);
          longer.push_back(q);
        }
    }
    prefixes.swap(longer);
  }
  // Outputs cut at the length limit: 3 tokens and no EOS, scored without an EOS term.
  for (const auto& p : prefixes)
    all.push_back({p, sequence_log_prob(model, source, p, false) / length_penalty(3, options.length_penalty)});
  std::sort(all.begin(), all.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
  ASSERT_EQ(results[0].size(), 3u);
  EXPECT_EQ(results[0][0].tokens, all[0].tokens);
  EXPECT_NEAR(results[0][0].score, all[0].score, 1e-4);
  // n-best comes sorted by score.
  EXPECT_GE(results[0][0].score, results[0][1].score);
  EXPECT_GE(results[0][1].score, results[0][2].score);
}

TEST(BeamSearch, BatchingDoesNotChangeResults) {
  nn::Transformer model(tiny_config(12));
  model.initialize(8);
  const std::vector<std::vector<int32_t>> sources = {{5, 6, 7, 3}, {8, 3}, {9, 10, 11, 4, 5, 3}, {3}};
  SearchOptions options;
  options.beam_size = 4;
  options.n_best = 2;
  Workspace workspace;
  SearchBatch search(model, workspace);
  const auto together = beam_search(search, sources, options);
  for (size_t i = 0; i < sources.size(); ++i) {
    const auto alone = beam_search(search, {sources[i]}, options);
    ASSERT_EQ(alone[0].size(), together[i].size());
    for (size_t k = 0; k < alone[0].size(); ++k) {
      EXPECT_EQ(alone[0][k].tokens, together[i][k].tokens) << i;
      EXPECT_NEAR(alone[0][k].score, together[i][k].score, 1e-4) << i;
    }
  }
}

// What a batch keeps between calls (its decoder cache with slots freed and taken again, room
// grown by an earlier, longer search) changes nothing: a reused batch gives exactly what a
// fresh one gives.
TEST(BeamSearch, AReusedBatchGivesExactlyWhatAFreshOneGives) {
  nn::Transformer model(tiny_config(12));
  model.initialize(8);
  SearchOptions options;
  options.beam_size = 3;
  options.n_best = 2;
  Workspace workspace;
  SearchBatch reused(model, workspace);
  beam_search(reused, {{9, 10, 11, 4, 5, 6, 7, 8, 9, 3}, {5, 3}, {6, 7, 3}, {8, 8, 3}, {4, 3}}, options);
  for (const std::vector<std::vector<int32_t>>& sources :
       std::vector<std::vector<std::vector<int32_t>>>{{{5, 6, 7, 3}, {8, 3}}, {{9, 10, 3}}, {{3}, {4, 5, 3}, {6, 3}}}) {
    const auto again = beam_search(reused, sources, options);
    SearchBatch fresh_batch(model, workspace);
    const auto fresh = beam_search(fresh_batch, sources, options);
    ASSERT_EQ(again.size(), fresh.size());
    for (size_t i = 0; i < fresh.size(); ++i) {
      ASSERT_EQ(again[i].size(), fresh[i].size());
      for (size_t k = 0; k < fresh[i].size(); ++k) {
        EXPECT_EQ(again[i][k].tokens, fresh[i][k].tokens);
        EXPECT_EQ(again[i][k].log_prob, fresh[i][k].log_prob);
      }
    }
  }
}

TEST(BeamSearch, MinLengthHoldsBackEos) {
  nn::Transformer model(tiny_config(12));
  model.initialize(8);
  // A model that wants to stop at once: EOS gets a large bias.
  const int32_t eos = model.config().eos_id;
  model.parameters().find("generator.bias")->param.value.data[eos] = 50.0f;
  SearchOptions options;
  options.beam_size = 2;
  Workspace workspace;
  SearchBatch search(model, workspace);
  EXPECT_TRUE(beam_search(search, {{5, 6, 3}}, options)[0][0].tokens.empty());
  options.min_length = 5;
  const Hypothesis h = beam_search(search, {{5, 6, 3}}, options)[0][0];
  EXPECT_EQ(h.tokens.size(), 5u);
  EXPECT_EQ(std::count(h.tokens.begin(), h.tokens.end(), eos), 0);
}

}  // namespace
}  // namespace tfm::decode
