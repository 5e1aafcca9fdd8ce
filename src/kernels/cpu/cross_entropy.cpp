#include "kernels/cross_entropy.h"

#include <algorithm>
#include <cmath>

#include "kernels/cpu/vector_math.h"
#include "kernels/profile.h"

namespace tfm::kernels {

namespace {

struct RowStats {
  float max;
  double sum;  // sum_k z_k
};

// One read of the row for both.
RowStats max_and_sum(const float* z, int64_t vocab) {
  float max = z[0];
  double sum = 0.0;
#pragma omp simd reduction(max : max) reduction(+ : sum)
  for (int64_t k = 0; k < vocab; ++k) {
    max = std::max(max, z[k]);
    sum += z[k];
  }
  return {max, sum};
}

}  // namespace

CrossEntropyResult cross_entropy(float* logits, const int32_t* targets, int64_t rows, int64_t vocab,
                                 int32_t ignore_id, float smoothing, float grad_scale) {
  const profile::Scope scope("cross_entropy");
  double loss_sum = 0.0, nll_sum = 0.0;
  int64_t tokens = 0;
#pragma omp parallel for schedule(static) reduction(+ : loss_sum, nll_sum, tokens)
  for (int64_t r = 0; r < rows; ++r) {
    float* z = logits + r * vocab;
    const int32_t target = targets[r];
    if (target == ignore_id) {
      if (grad_scale != 0.0f) std::fill(z, z + vocab, 0.0f);
      continue;
    }
    const RowStats st = max_and_sum(z, vocab);
    const float target_logit = z[target];
    // Training overwrites the row with e_k = exp(z_k - max) on the way, so that the
    // probabilities e_k / sum_k e_k cost one exponential each.
    const float sum_exp = grad_scale != 0.0f ? exp_shifted(z, vocab, st.max, z) : sum_exp_shifted(z, vocab, st.max);
    const double log_sum_exp = double(st.max) + std::log(double(sum_exp));
    const double nll = log_sum_exp - target_logit;
    // -sum_k log p_k / vocab = lse - mean(z)
    const double uniform_loss = log_sum_exp - st.sum / double(vocab);
    loss_sum += (1.0 - smoothing) * nll + smoothing * uniform_loss;
    nll_sum += nll;
    ++tokens;
    if (grad_scale != 0.0f) {
      const float off_target = smoothing / float(vocab), inv_sum = 1.0f / sum_exp;
#pragma omp simd
      for (int64_t k = 0; k < vocab; ++k) z[k] = (z[k] * inv_sum - off_target) * grad_scale;
      z[target] -= (1.0f - smoothing) * grad_scale;
    }
  }
  return {loss_sum, nll_sum, tokens};
}

void log_softmax(float* logits, int64_t rows, int64_t vocab) {
  const profile::Scope scope("log_softmax");
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    float* z = logits + r * vocab;
    const float max = row_max(z, vocab);
    const float lse = max + std::log(sum_exp_shifted(z, vocab, max));
    for (int64_t k = 0; k < vocab; ++k) z[k] -= lse;
  }
}

}  // namespace tfm::kernels
