#pragma once
// Softmax cross-entropy over the vocabulary with label smoothing (paper §5.4), fused so the
// logits buffer becomes the gradient in place: no copy of a [tokens, vocab] matrix is made.
#include <cstdint>

namespace tfm::kernels {

struct CrossEntropyResult {
  double loss_sum = 0.0;  // summed over counted tokens
  double nll_sum = 0.0;   // the same without smoothing: -sum log p(target), for perplexity
  int64_t tokens = 0;     // rows whose target is not ignore_id
};

// The target distribution is q = (1 - smoothing) * onehot(target) + smoothing / vocab, as
// torch.nn.functional.cross_entropy(label_smoothing=...) defines it; a token's loss is
// -sum_k q_k log p_k. Rows whose target is ignore_id count nothing.
// When grad_scale is non-zero, logits[r, :] is overwritten by (p - q) * grad_scale
// (zeros for ignored rows): the gradient of grad_scale * loss_sum.
CrossEntropyResult cross_entropy(float* logits, const int32_t* targets, int64_t rows, int64_t vocab,
                                 int32_t ignore_id, float smoothing, float grad_scale);

// logits[r, :] = log softmax(logits[r, :]), for decoding.
void log_softmax(float* logits, int64_t rows, int64_t vocab);

}  // namespace tfm::kernels
