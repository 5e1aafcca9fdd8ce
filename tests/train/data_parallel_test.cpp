// The core's side of data-parallel training, in one process: how a batch is shared between
// ranks, the gradient memory the ranks sum in place, the backward pass's reports of final
// gradients, and the weights fingerprint. tests/distributed/ runs the real thing over MPI.
#include <gtest/gtest.h>

#include <cstring>

#include "nn/transformer.h"
#include "train/batch.h"
#include "train/communicator.h"
#include "train/train_step.h"

namespace tfm::train {
namespace {

Batch five_sentences() {
  const std::vector<std::vector<int32_t>> src = {{5}, {6, 7}, {8, 9, 10}, {11}, {12, 13}};
  const std::vector<std::vector<int32_t>> tgt = {{20, 21}, {22}, {23, 24, 25, 26}, {27}, {28, 29}};
  std::vector<std::span<const int32_t>> s(src.begin(), src.end()), t(tgt.begin(), tgt.end());
  return make_batch(s, t, 0, 2, 3);
}

TEST(TakeShare, TakesEveryNthSentenceAndTrimsThePadding) {
  const Batch b = five_sentences();
  const Batch first = take_share(b, 0, 2), second = take_share(b, 1, 2);
  // Sentences 0, 2, 4 and 1, 3: source lengths (with EOS) 2, 4, 3 and 3, 2.
  EXPECT_EQ(first.batch_size, 3);
  EXPECT_EQ(first.src_len, 4);
  EXPECT_EQ(first.tgt_len, 5);
  EXPECT_EQ(first.src_ids, (std::vector<int32_t>{5, 3, 0, 0, /**/ 8, 9, 10, 3, /**/ 12, 13, 3, 0}));
  EXPECT_EQ(first.tgt_out_ids, (std::vector<int32_t>{20, 21, 3, 0, 0, /**/ 23, 24, 25, 26, 3, /**/ 28, 29, 3, 0, 0}));
  EXPECT_EQ(second.batch_size, 2);
  EXPECT_EQ(second.src_len, 3);
  EXPECT_EQ(second.tgt_len, 2);  // the share's longest target, not the batch's
  EXPECT_EQ(second.src_ids, (std::vector<int32_t>{6, 7, 3, /**/ 11, 3, 0}));
  EXPECT_EQ(second.tgt_in_ids, (std::vector<int32_t>{2, 22, /**/ 2, 27}));
  EXPECT_EQ(second.tgt_lengths, (std::vector<int32_t>{2, 2}));
  EXPECT_EQ(first.target_tokens() + second.target_tokens(), b.target_tokens());
}

TEST(TakeShare, ARankBeyondTheSentencesGetsAnEmptyShare) {
  const Batch share = take_share(five_sentences(), 5, 6);
  EXPECT_EQ(share.batch_size, 0);
  EXPECT_EQ(share.target_tokens(), 0);
}

TEST(ParameterSet, ConsecutiveGradientsFormOneRunWithZeroGaps) {
  ParameterSet params;
  params.add("a", {3, 5});  // 15 floats: the next one starts at the next 64-byte boundary
  params.add("b", {7});
  params.add("c", {2, 2});
  const std::span<float> run = params.gradient_run(0, 3);
  ASSERT_FALSE(run.empty());
  const auto& e = params.entries();
  EXPECT_EQ(run.data(), e[0].param.grad.data);
  EXPECT_EQ(run.data() + run.size(), e[2].param.grad.data + 4);
  EXPECT_EQ(e[1].param.grad.data - e[0].param.grad.data, 16);
  for (size_t i = 0; i < 3; ++i) std::fill_n(e[i].param.grad.data, e[i].param.grad.numel(), 1.0f);
  float total = 0;
  for (float g : run) total += g;
  EXPECT_EQ(total, 15 + 7 + 4);  // the gaps hold zeros
}

TEST(ParameterSet, AGradientBiggerThanABlockStartsANewRun) {
  ParameterSet params;
  params.add("small", {8});
  params.add("huge", {int64_t(17) << 20});  // over the 16 Mi-float block: untouched pages, no memory
  params.add("after", {8});
  EXPECT_TRUE(params.gradient_run(0, 1).size() == 8);
  EXPECT_TRUE(params.gradient_run(0, 2).empty());
  EXPECT_TRUE(params.gradient_run(1, 3).empty());
  EXPECT_EQ(params.gradient_run(1, 2).size(), size_t(17) << 20);
}

// Plays rank 0 of two: checks that every gradient the backward pass reports as final stays
// as it was when reported (so summing it then is safe), in the order backward finishes them.
class FinalGradientChecker final : public Communicator {
 public:
  int rank() const override { return 0; }
  int ranks() const override { return 2; }
  void begin_gradient_sum(ParameterSet& params) override {
    params_ = &params;
    reported_from_ = params.entries().size();
    snapshots_.clear();
  }
  void gradients_final_from(size_t first) override {
    ASSERT_LT(first, reported_from_) << "reports go from the last entries to the first";
    for (size_t e = first; e < reported_from_; ++e) {
      const Tensor& g = params_->entries()[e].param.grad;
      snapshots_.push_back({e, std::vector<float>(g.data, g.data + g.numel())});
    }
    reported_from_ = first;
  }
  void finish_gradient_sum() override {
    for (const auto& [entry, snapshot] : snapshots_) {
      const Tensor& g = params_->entries()[entry].param.grad;
      EXPECT_EQ(std::memcmp(snapshot.data(), g.data, snapshot.size() * sizeof(float)), 0)
          << params_->entries()[entry].name << " changed after it was reported final";
    }
    finished = true;
  }
  void sum(std::span<double>) override {}
  void broadcast_from_first(std::span<double>) override {}
  void check_identical(uint64_t, const std::string&) override {}
  CommunicationStatistics take_statistics() override { return {}; }

  size_t reported_from_ = 0;
  bool finished = false;
  std::vector<std::pair<size_t, std::vector<float>>> snapshots_;

 private:
  ParameterSet* params_ = nullptr;
};

class BackwardReports : public ::testing::TestWithParam<bool> {};

TEST_P(BackwardReports, OnlyFinalGradientsMostOfTheModelBeforeBackwardEnds) {
  const bool pre_norm_untied = GetParam();
  io::ModelConfig c = io::ModelConfig::preset("S");
  c.vocab_size = 40;
  c.d_model = 16;
  c.nhead = 2;
  c.dim_feedforward = 32;
  c.num_encoder_layers = c.num_decoder_layers = 2;
  c.norm_first = c.encoder_final_norm = c.decoder_final_norm = pre_norm_untied;
  c.tie_embeddings = !pre_norm_untied;
  c.max_positions = 16;
  nn::Transformer model(c);
  model.initialize(3);
  Adam adam(model.parameters());
  Workspace workspace;
  FinalGradientChecker checker;
  const std::vector<Batch> batches = {five_sentences(), five_sentences()};  // accumulated: reports in the last
  train_step(model, adam, workspace, batches, 1e-3, {}, checker);
  EXPECT_TRUE(checker.finished);
  // Everything but the embedding tables (entries 0 and, untied, 1) is reported before the
  // end of backward.
  EXPECT_EQ(checker.reported_from_, pre_norm_untied ? 2u : 1u);
  EXPECT_GT(checker.snapshots_.size(), model.parameters().entries().size() - 3);
}

INSTANTIATE_TEST_SUITE_P(Variants, BackwardReports, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "PreNormUntied" : "PostNormTied"; });

TEST(WeightsFingerprint, ChangesWithAnyBitAndWithOrder) {
  ParameterSet params;
  Param a = params.add("a", {4});
  params.add("b", {3});
  for (int i = 0; i < 4; ++i) a.value.data[i] = float(i) * 0.5f;
  const uint64_t original = weights_fingerprint(params);
  EXPECT_EQ(weights_fingerprint(params), original);
  a.value.data[1] = std::nextafter(a.value.data[1], 2.0f);
  EXPECT_NE(weights_fingerprint(params), original);
  a.value.data[1] = 0.5f;
  std::swap(a.value.data[2], a.value.data[3]);
  EXPECT_NE(weights_fingerprint(params), original);
}

}  // namespace
}  // namespace tfm::train
