#include "train/train_step.h"

#include "train/clip.h"

namespace tfm::train {

StepResult train_step(nn::Transformer& model, Adam& adam, Workspace& workspace, const Batch& batch, double lr,
                      const StepOptions& options) {
  workspace.reset();
  nn::StepContext ctx{workspace, true, options.seed, uint64_t(adam.steps_taken() + 1)};
  model.parameters().zero_grads();
  model.forward(ctx, batch);
  // Mean over the batch's target tokens, as the loss is reported.
  const float grad_scale = 1.0f / float(std::max<int64_t>(batch.target_tokens(), 1));
  StepResult result;
  result.loss = model.loss_backward(ctx, batch, options.label_smoothing, grad_scale);
  result.grad_norm = clip_grad_norm(model.parameters(), options.clip_norm);
  adam.step(model.parameters(), lr);
  return result;
}

}  // namespace tfm::train
