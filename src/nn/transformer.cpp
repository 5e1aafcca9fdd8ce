#include "nn/transformer.h"

#include <cmath>

#include "tensor/random.h"

namespace tfm::nn {

namespace {

Param register_embeddings(ParameterSet& params, const io::ModelConfig& c, const char* name) {
  return params.add(name, {c.vocab_size, c.d_model});
}

}  // namespace

Transformer::Transformer(const io::ModelConfig& c)
    : config_(c),
      positions_(c.max_positions, c.d_model),
      src_embed_(register_embeddings(params_, c, "src_embed.weight")),
      tgt_embed_(c.tie_embeddings ? src_embed_ : register_embeddings(params_, c, "tgt_embed.weight")),
      encoder_(params_, c, src_embed_, positions_),
      decoder_(params_, c, tgt_embed_, positions_),
      generator_(c.tie_embeddings ? src_embed_ : register_embeddings(params_, c, "generator.weight"),
                 params_.add("generator.bias", {c.vocab_size})) {}

void Transformer::initialize(uint64_t seed) {
  SplitMix64 rng(seed);
  for (const ParameterSet::Entry& e : params_.entries()) {
    Tensor w = e.param.value;
    const bool is_embedding = e.name.ends_with("embed.weight") || e.name == "generator.weight";
    if (is_embedding) {
      const double stddev = 1.0 / std::sqrt(double(config_.d_model));
      for (int64_t i = 0; i < w.numel(); ++i) w.data[i] = float(rng.normal() * stddev);
    } else if (w.shape.rank() == 2) {
      const double bound = std::sqrt(6.0 / double(w.shape[0] + w.shape[1]));
      for (int64_t i = 0; i < w.numel(); ++i) w.data[i] = float((2.0 * rng.uniform01() - 1.0) * bound);
    } else {
      const float value = e.name.find("norm") != std::string::npos && e.name.ends_with(".weight") ? 1.0f : 0.0f;
      for (int64_t i = 0; i < w.numel(); ++i) w.data[i] = value;
    }
  }
}

Tensor Transformer::forward(StepContext& ctx, const Batch& b) {
  memory_ = encoder_.forward(ctx, b.src_ids.data(), b.src_lengths.data(), b.batch_size, b.src_len);
  Tensor out = decoder_.forward(ctx, b.tgt_in_ids.data(), b.tgt_lengths.data(), b.batch_size, b.tgt_len, memory_,
                                b.src_lengths.data());
  logits_ = generator_.forward(ctx, out);
  return logits_;
}

Tensor Transformer::decode_step(StepContext& ctx, const int32_t* ids, DecoderCache& cache) {
  Tensor log_probs = generator_.forward(ctx, decoder_.step(ctx, ids, cache));
  kernels::log_softmax(log_probs.data, log_probs.rows(), log_probs.cols());
  return log_probs;
}

kernels::CrossEntropyResult Transformer::loss_backward(StepContext& ctx, const Batch& b, float label_smoothing,
                                                       float grad_scale) {
  const kernels::CrossEntropyResult loss =
      kernels::cross_entropy(logits_.data, b.tgt_out_ids.data(), logits_.rows(), logits_.cols(), config_.pad_id,
                             label_smoothing, grad_scale);
  Tensor dout = generator_.backward(ctx, logits_);  // logits_ now holds d loss / d logits
  Tensor dmemory = ctx.workspace.take_zeros(memory_.shape);
  decoder_.backward(ctx, dout, dmemory);
  encoder_.backward(ctx, dmemory);
  return loss;
}

}  // namespace tfm::nn
