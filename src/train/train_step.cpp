#include "train/train_step.h"

#include <array>

#include "train/clip.h"

namespace tfm::train {

StepResult train_step(nn::Transformer& model, Adam& adam, Workspace& workspace, std::span<const Batch> batches,
                      double lr, const StepOptions& options, Communicator& communicator) {
  const int rank = communicator.rank(), ranks = communicator.ranks();
  // Every rank sees the whole batches, so each divides by the same global token count.
  int64_t tokens = 0;
  for (const Batch& b : batches) tokens += b.target_tokens();
  const float grad_scale = 1.0f / float(std::max<int64_t>(tokens, 1));
  model.parameters().zero_grads();
  StepResult result;
  for (size_t i = 0; i < batches.size(); ++i) {
    const bool last = i + 1 == batches.size();
    if (last) communicator.begin_gradient_sum(model.parameters());
    const Batch share = ranks > 1 ? take_share(batches[i], rank, ranks) : Batch{};
    const Batch& batch = ranks > 1 ? share : batches[i];
    if (batch.batch_size == 0) continue;  // a batch of fewer sentences than ranks
    workspace.reset();
    // A dropout stream per (step, batch, rank): masks differ between accumulated batches and
    // between the shares of one batch.
    nn::StepContext ctx{workspace, true, options.seed,
                        (uint64_t(adam.steps_taken()) * batches.size() + i) * uint64_t(ranks) + uint64_t(rank)};
    ctx.products = options.matmul_precision;
    if (last && ranks > 1)
      ctx.gradients_final_from = [&communicator](size_t first) { communicator.gradients_final_from(first); };
    model.forward(ctx, batch);
    const auto loss = model.loss_backward(ctx, batch, options.label_smoothing, grad_scale);
    result.loss.loss_sum += loss.loss_sum;
    result.loss.nll_sum += loss.nll_sum;
    result.loss.tokens += loss.tokens;
  }
  communicator.finish_gradient_sum();
  if (ranks > 1) {
    std::array<double, 3> totals{result.loss.loss_sum, result.loss.nll_sum, double(result.loss.tokens)};
    communicator.sum(totals);
    result.loss = {totals[0], totals[1], int64_t(totals[2])};
  }
  // Every rank now holds the same summed gradient: its norm, the clipping and the Adam step
  // come out the same everywhere without further exchange.
  result.grad_norm = clip_grad_norm(model.parameters(), options.clip_norm);
  adam.step(model.parameters(), lr);
  return result;
}

}  // namespace tfm::train
