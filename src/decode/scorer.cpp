#include "decode/scorer.h"

#include <algorithm>
#include <numeric>
#include <span>

#include "kernels/cross_entropy.h"

namespace tfm::decode {

std::vector<double> score_pairs(nn::Transformer& model, const std::vector<std::vector<int32_t>>& sources,
                                const std::vector<std::vector<int32_t>>& targets, int batch_size) {
  const io::ModelConfig& c = model.config();
  // Pairs of similar length together, results put back in input order.
  std::vector<size_t> order(sources.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::max(sources[a].size(), targets[a].size()) < std::max(sources[b].size(), targets[b].size());
  });
  std::vector<double> scores(sources.size());
  Workspace workspace;
  for (size_t begin = 0; begin < order.size(); begin += size_t(batch_size)) {
    const size_t end = std::min(order.size(), begin + size_t(batch_size));
    std::vector<std::span<const int32_t>> src, tgt;
    for (size_t k = begin; k < end; ++k) {
      src.emplace_back(sources[order[k]]);
      tgt.emplace_back(targets[order[k]]);
    }
    const Batch b = make_batch(src, tgt, c.pad_id, c.bos_id, c.eos_id);
    workspace.reset();
    nn::StepContext ctx = nn::StepContext::inference(workspace);
    Tensor log_probs = model.forward(ctx, b);
    kernels::log_softmax(log_probs.data, log_probs.rows(), log_probs.cols());
    for (int r = 0; r < b.batch_size; ++r) {
      double sum = 0.0;
      for (int t = 0; t < b.tgt_lengths[r]; ++t)
        sum += log_probs.row(int64_t(r) * b.tgt_len + t)[b.tgt_out_ids[size_t(r) * b.tgt_len + t]];
      scores[order[begin + size_t(r)]] = sum;
    }
  }
  return scores;
}

}  // namespace tfm::decode
