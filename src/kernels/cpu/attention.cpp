#include "kernels/attention.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <vector>

#include "kernels/cpu/vector_math.h"
#include "kernels/matmul.h"
#include "kernels/profile.h"

// Each (sentence, head) is a few small matrix products: scores = Q K^T, out = W V forward,
// and five more backward. They run as sgemm calls, one (sentence, head) per thread at a
// time, so the products get the BLAS's register-blocked kernels rather than dot products
// of one query and one key; the softmax and the masks run on the rows between them.
namespace tfm::kernels {

namespace {

// Query rows per tile. One tile's scores live in a per-thread buffer of kQueryTile x kv_len
// floats, so without saved weights (inference) memory grows linearly with length. Under a
// causal mask a tile's products stop at the last key its last row sees (incremental
// decoding: one query, only the keys so far). Causal tiles of 16 or 32 rows skip more of the
// masked half, but measured no faster on S training steps of 32 or 128 tokens: the extra
// products cost what the skipped work saved.
constexpr int64_t kQueryTile = 64;

// Keys [0, visible) are the ones query i of sentence b may attend to. Never decreases with i.
inline int64_t visible_keys(const AttentionShape& s, int64_t b, int64_t i) {
  int64_t n = s.key_lengths ? std::min<int64_t>(s.kv_len, s.key_lengths[s.kv_sentence(b)]) : s.kv_len;
  if (s.causal) n = std::min(n, i + (s.kv_len - s.q_len) + 1);
  return std::max<int64_t>(n, 0);
}

// Scratch rows per thread, kept between calls: the steady state allocates nothing.
float* thread_scratch(int which, int64_t n) {
  thread_local std::vector<float> buffers[2];
  std::vector<float>& buffer = buffers[which];
  if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(n);
  return buffer.data();
}

// The weights of (b, h, i) start at this index of [batch, heads, q_len, kv_len]: where they
// are saved, and the index of the first one's dropout mask element.
inline uint32_t weight_index(const AttentionShape& s, int64_t b, int64_t h, int64_t i) {
  return static_cast<uint32_t>(((b * s.heads + h) * s.q_len + i) * s.kv_len);
}

// Head h of row r of a view.
inline const float* head(ConstRowView v, int64_t r, int64_t h, int64_t head_dim) {
  return v.data + r * v.ld + h * head_dim;
}
inline float* head(RowView v, int64_t r, int64_t h, int64_t head_dim) { return v.data + r * v.ld + h * head_dim; }

void zero_heads(RowView v, int64_t first_row, int64_t rows, int64_t h, int64_t head_dim) {
  for (int64_t r = first_row; r < first_row + rows; ++r) std::fill_n(head(v, r, h, head_dim), head_dim, 0.0f);
}

// Scores row -> attention weights in place: softmax over the first `visible` entries, zero
// in the rest of the `width`.
void softmax_row(float* row, int64_t visible, int64_t width) {
  if (visible > 0) {
    const float sum = exp_shifted(row, visible, row_max(row, visible), row);
    const float inv_sum = 1.0f / sum;
    for (int64_t j = 0; j < visible; ++j) row[j] *= inv_sum;
  }
  std::fill(row + visible, row + width, 0.0f);
}

}  // namespace

void attention_forward(const AttentionShape& s, ConstRowView q, ConstRowView k, ConstRowView v,
                       Dropout d, float* probs, RowView out) {
  const profile::Scope scope("attention_forward");
  const float scale = 1.0f / std::sqrt(float(s.head_dim));
  const int64_t tiles = (s.q_len + kQueryTile - 1) / kQueryTile;
#pragma omp parallel for collapse(3) schedule(static)
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.heads; ++h) {
      for (int64_t t = 0; t < tiles; ++t) {
        const int64_t first = t * kQueryTile, rows = std::min(kQueryTile, s.q_len - first);
        const int64_t keys = visible_keys(s, b, first + rows - 1);  // the most any row of the tile sees
        if (keys == 0) {
          zero_heads(out, b * s.q_len + first, rows, h, s.head_dim);
          if (probs) std::fill_n(probs + weight_index(s, b, h, first), rows * s.kv_len, 0.0f);
          continue;
        }
        // Scores go straight to the saved weights where there are any.
        float* weights = probs ? probs + weight_index(s, b, h, first) : thread_scratch(0, rows * keys);
        const int64_t ld = probs ? s.kv_len : keys;
        const float* k0 = head(k, s.key_row(b, 0), h, s.head_dim);
        const float* v0 = head(v, s.key_row(b, 0), h, s.head_dim);
        gemm(false, true, rows, keys, s.head_dim, scale, head(q, b * s.q_len + first, h, s.head_dim), q.ld, k0,
             k.ld, 0.0f, weights, ld);
        for (int64_t r = 0; r < rows; ++r) softmax_row(weights + r * ld, visible_keys(s, b, first + r), ld);

        const float* used = weights;  // the weights V is averaged with: after dropout
        int64_t used_ld = ld;
        if (d.active()) {
          float* dropped = thread_scratch(1, rows * keys);
          for (int64_t r = 0; r < rows; ++r) {
            const uint32_t base = weight_index(s, b, h, first + r);
#pragma omp simd
            for (int64_t j = 0; j < keys; ++j) dropped[r * keys + j] = weights[r * ld + j] * d.scale(base + uint32_t(j));
          }
          used = dropped;
          used_ld = keys;
        }
        gemm(false, false, rows, s.head_dim, keys, 1.0f, used, used_ld, v0, v.ld, 0.0f,
             head(out, b * s.q_len + first, h, s.head_dim), out.ld);
      }
    }
  }
}

void attention_backward(const AttentionShape& s, ConstRowView q, ConstRowView k, ConstRowView v,
                        const float* probs, Dropout d, ConstRowView dout, RowView dq, RowView dk, RowView dv) {
  const profile::Scope scope("attention_backward");
  assert(!s.kv_index && (s.kv_stride == 0 || s.kv_stride == s.kv_len));
  const float scale = 1.0f / std::sqrt(float(s.head_dim));
  const int64_t hd = s.head_dim;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.heads; ++h) {
      const int64_t k0 = b * s.kv_len;
      // The first tile writes dK and dV of the keys it sees; later tiles (which see at
      // least those) add to them. Keys no query sees get no gradient.
      const int64_t first_keys = visible_keys(s, b, std::min(kQueryTile, s.q_len) - 1);
      zero_heads(dk, k0 + first_keys, s.kv_len - first_keys, h, hd);
      zero_heads(dv, k0 + first_keys, s.kv_len - first_keys, h, hd);
      for (int64_t first = 0; first < s.q_len; first += kQueryTile) {
        const int64_t rows = std::min(kQueryTile, s.q_len - first), q0 = b * s.q_len + first;
        const int64_t keys = visible_keys(s, b, first + rows - 1);  // the most any row of the tile sees
        if (keys == 0) {
          zero_heads(dq, q0, rows, h, hd);
          continue;
        }
        const float beta = first == 0 ? 0.0f : 1.0f;
        const float* p = probs + weight_index(s, b, h, first);  // [rows, kv_len], zero where masked
        const float* dropped = p;                               // the weights forward averaged V with
        int64_t dropped_ld = s.kv_len;
        if (d.active()) {
          float* buffer = thread_scratch(0, rows * keys);
          for (int64_t i = 0; i < rows; ++i) {
            const uint32_t base = weight_index(s, b, h, first + i);
#pragma omp simd
            for (int64_t j = 0; j < keys; ++j) buffer[i * keys + j] = p[i * s.kv_len + j] * d.scale(base + uint32_t(j));
          }
          dropped = buffer;
          dropped_ld = keys;
        }
        // dV = dropout(P)^T dO.
        gemm(true, false, keys, hd, rows, 1.0f, dropped, dropped_ld, head(dout, q0, h, hd), dout.ld, beta,
             head(dv, k0, h, hd), dv.ld);
        // dP = dropout'(dO V^T); softmax backward: dS = P * (dP - sum(P * dP)), times the scale.
        float* ds = thread_scratch(1, rows * keys);
        gemm(false, true, rows, keys, hd, 1.0f, head(dout, q0, h, hd), dout.ld, head(v, k0, h, hd), v.ld, 0.0f,
             ds, keys);
        for (int64_t i = 0; i < rows; ++i) {
          const float* pi = p + i * s.kv_len;
          float* dsi = ds + i * keys;
          if (d.active()) {
            const uint32_t base = weight_index(s, b, h, first + i);
#pragma omp simd
            for (int64_t j = 0; j < keys; ++j) dsi[j] *= d.scale(base + uint32_t(j));
          }
          float weighted_sum = 0.0f;
#pragma omp simd reduction(+ : weighted_sum)
          for (int64_t j = 0; j < keys; ++j) weighted_sum += pi[j] * dsi[j];  // P is zero where masked
#pragma omp simd
          for (int64_t j = 0; j < keys; ++j) dsi[j] = pi[j] * (dsi[j] - weighted_sum) * scale;
        }
        // dQ = dS K; dK = dS^T Q.
        gemm(false, false, rows, hd, keys, 1.0f, ds, keys, head(k, k0, h, hd), k.ld, 0.0f, head(dq, q0, h, hd),
             dq.ld);
        gemm(true, false, keys, hd, rows, 1.0f, ds, keys, head(q, q0, h, hd), q.ld, beta, head(dk, k0, h, hd),
             dk.ld);
      }
    }
  }
}

}  // namespace tfm::kernels
