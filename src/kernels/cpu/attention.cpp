#include "kernels/attention.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu/vector_math.h"
#include "kernels/profile.h"

namespace tfm::kernels {

namespace {

inline float dot(const float* a, const float* b, int64_t n) {
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int64_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

inline void axpy(float alpha, const float* x, float* y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

// Keys [0, visible) are the ones query i of sentence b may attend to.
inline int64_t visible_keys(const AttentionShape& s, int64_t b, int64_t i) {
  int64_t n = s.key_lengths ? std::min<int64_t>(s.kv_len, s.key_lengths[s.kv_sentence(b)]) : s.kv_len;
  if (s.causal) n = std::min(n, i + (s.kv_len - s.q_len) + 1);
  return std::max<int64_t>(n, 0);
}

// One row of attention weights per thread, kept between calls: steady state allocates nothing.
float* thread_row(int64_t n) {
  thread_local std::vector<float> row;
  if (static_cast<int64_t>(row.size()) < n) row.resize(n);
  return row.data();
}

inline uint32_t weight_index(const AttentionShape& s, int64_t b, int64_t h, int64_t i) {
  return static_cast<uint32_t>(((b * s.heads + h) * s.q_len + i) * s.kv_len);
}

}  // namespace

void attention_forward(const AttentionShape& s, ConstRowView q, ConstRowView k, ConstRowView v,
                       Dropout d, float* probs, RowView out) {
  const profile::Scope scope("attention_forward");
  const float scale = 1.0f / std::sqrt(float(s.head_dim));
#pragma omp parallel
  {
    float* weights = thread_row(s.kv_len);
#pragma omp for collapse(2) schedule(static)
    for (int64_t b = 0; b < s.batch; ++b) {
      for (int64_t h = 0; h < s.heads; ++h) {
        for (int64_t i = 0; i < s.q_len; ++i) {
          const float* qi = q.data + (b * s.q_len + i) * q.ld + h * s.head_dim;
          float* oi = out.data + (b * s.q_len + i) * out.ld + h * s.head_dim;
          const int64_t n = visible_keys(s, b, i);
          float max_score = -std::numeric_limits<float>::infinity();
          for (int64_t j = 0; j < n; ++j) {
            weights[j] = dot(qi, k.data + s.key_row(b, j) * k.ld + h * s.head_dim, s.head_dim) * scale;
            max_score = std::max(max_score, weights[j]);
          }
          const float sum = exp_shifted(weights, n, max_score, weights);
          const float inv_sum = n > 0 ? 1.0f / sum : 0.0f;
          for (int64_t j = 0; j < n; ++j) weights[j] *= inv_sum;
          std::fill(weights + n, weights + s.kv_len, 0.0f);
          if (probs) std::copy(weights, weights + s.kv_len, probs + weight_index(s, b, h, i));

          std::fill(oi, oi + s.head_dim, 0.0f);
          const uint32_t base = weight_index(s, b, h, i);
          for (int64_t j = 0; j < n; ++j) {
            const float w = d.active() ? weights[j] * d.scale(base + uint32_t(j)) : weights[j];
            axpy(w, v.data + s.key_row(b, j) * v.ld + h * s.head_dim, oi, s.head_dim);
          }
        }
      }
    }
  }
}

void attention_backward(const AttentionShape& s, ConstRowView q, ConstRowView k, ConstRowView v,
                        const float* probs, Dropout d, ConstRowView dout, RowView dq, RowView dk, RowView dv) {
  const profile::Scope scope("attention_backward");
  assert(!s.kv_index && (s.kv_stride == 0 || s.kv_stride == s.kv_len));
  const float scale = 1.0f / std::sqrt(float(s.head_dim));
#pragma omp parallel
  {
    float* dweights = thread_row(s.kv_len);
#pragma omp for collapse(2) schedule(static)
    for (int64_t b = 0; b < s.batch; ++b) {
      for (int64_t h = 0; h < s.heads; ++h) {
        // This (sentence, head) owns its slices of dk and dv: clear them, then accumulate.
        for (int64_t j = 0; j < s.kv_len; ++j) {
          std::fill_n(dk.data + (b * s.kv_len + j) * dk.ld + h * s.head_dim, s.head_dim, 0.0f);
          std::fill_n(dv.data + (b * s.kv_len + j) * dv.ld + h * s.head_dim, s.head_dim, 0.0f);
        }
        for (int64_t i = 0; i < s.q_len; ++i) {
          const float* qi = q.data + (b * s.q_len + i) * q.ld + h * s.head_dim;
          const float* doi = dout.data + (b * s.q_len + i) * dout.ld + h * s.head_dim;
          float* dqi = dq.data + (b * s.q_len + i) * dq.ld + h * s.head_dim;
          const float* pi = probs + weight_index(s, b, h, i);
          const uint32_t base = weight_index(s, b, h, i);
          const int64_t n = visible_keys(s, b, i);
          // dP = dropout'(dO V^T); dV += dropout(P)^T dO.
          float weighted_sum = 0.0f;
          for (int64_t j = 0; j < n; ++j) {
            const int64_t key_row = b * s.kv_len + j;
            const float mask = d.active() ? d.scale(base + uint32_t(j)) : 1.0f;
            dweights[j] = dot(doi, v.data + key_row * v.ld + h * s.head_dim, s.head_dim) * mask;
            axpy(pi[j] * mask, doi, dv.data + key_row * dv.ld + h * s.head_dim, s.head_dim);
            weighted_sum += pi[j] * dweights[j];
          }
          // Softmax backward: dS = P * (dP - sum(P * dP)); then dQ = dS K * scale, dK += dS^T Q * scale.
          std::fill_n(dqi, s.head_dim, 0.0f);
          for (int64_t j = 0; j < n; ++j) {
            const int64_t key_row = b * s.kv_len + j;
            const float ds = pi[j] * (dweights[j] - weighted_sum) * scale;
            axpy(ds, k.data + key_row * k.ld + h * s.head_dim, dqi, s.head_dim);
            axpy(ds, qi, dk.data + key_row * dk.ld + h * s.head_dim, s.head_dim);
          }
        }
      }
    }
  }
}

}  // namespace tfm::kernels
