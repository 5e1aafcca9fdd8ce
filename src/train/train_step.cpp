#include "train/train_step.h"

#include "train/clip.h"

namespace tfm::train {

StepResult train_step(nn::Transformer& model, Adam& adam, Workspace& workspace, std::span<const Batch> batches,
                      double lr, const StepOptions& options) {
  int64_t tokens = 0;
  for (const Batch& b : batches) tokens += b.target_tokens();
  const float grad_scale = 1.0f / float(std::max<int64_t>(tokens, 1));
  model.parameters().zero_grads();
  StepResult result;
  for (size_t i = 0; i < batches.size(); ++i) {
    workspace.reset();
    // A dropout stream per (step, batch): masks differ between accumulated batches.
    nn::StepContext ctx{workspace, true, options.seed, uint64_t(adam.steps_taken()) * batches.size() + i};
    model.forward(ctx, batches[i]);
    const auto loss = model.loss_backward(ctx, batches[i], options.label_smoothing, grad_scale);
    result.loss.loss_sum += loss.loss_sum;
    result.loss.nll_sum += loss.nll_sum;
    result.loss.tokens += loss.tokens;
  }
  result.grad_norm = clip_grad_norm(model.parameters(), options.clip_norm);
  adam.step(model.parameters(), lr);
  return result;
}

}  // namespace tfm::train
