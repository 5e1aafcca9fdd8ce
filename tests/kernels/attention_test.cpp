// The attention kernels against a plain reference written from the definitions, in double
// precision: softmax(Q K^T / sqrt(d)) V with masks and dropout forward, and its gradients
// backward. Shapes span several query tiles (causal and not), padded keys, and the
// decoding layouts (key cache with spare room, rows sharing a sentence's keys).
#include "kernels/attention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <vector>

#include "tensor/random.h"

namespace tfm::kernels {
namespace {

struct Case {
  const char* name;
  AttentionShape shape;
  std::vector<int32_t> key_lengths;  // per key sentence; empty: no padding
  std::vector<int32_t> kv_index;     // per query sentence; empty: the identity
  float dropout;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

int64_t key_sentences(const Case& c) {
  return c.kv_index.empty() ? c.shape.batch : *std::max_element(c.kv_index.begin(), c.kv_index.end()) + 1;
}

std::vector<float> random_floats(int64_t n, uint64_t seed) {
  SplitMix64 rng(seed);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = float(2.0 * rng.uniform01() - 1.0);
  return v;
}

struct Reference {
  std::vector<double> out, probs, dq, dk, dv;
};

// Q, K, V, dO: [rows, heads * head_dim] each, keys at key_row(b, j).
Reference reference(const AttentionShape& s, const std::vector<float>& q, const std::vector<float>& k,
                    const std::vector<float>& v, const std::vector<float>& dout, Dropout d) {
  const int64_t hd = s.head_dim, width = s.heads * hd;
  const double scale = 1.0 / std::sqrt(double(hd));
  Reference r;
  r.out.assign(q.size(), 0.0);
  r.probs.assign(size_t(s.batch * s.heads * s.q_len * s.kv_len), 0.0);
  r.dq.assign(q.size(), 0.0);
  r.dk.assign(k.size(), 0.0);
  r.dv.assign(v.size(), 0.0);
  for (int64_t b = 0; b < s.batch; ++b) {
    const int64_t sentence = s.kv_sentence(b);
    const int64_t length = s.key_lengths ? std::min<int64_t>(s.kv_len, s.key_lengths[sentence]) : s.kv_len;
    for (int64_t h = 0; h < s.heads; ++h) {
      for (int64_t i = 0; i < s.q_len; ++i) {
        const int64_t qrow = (b * s.q_len + i) * width + h * hd;
        auto visible = [&](int64_t j) { return j < length && (!s.causal || j <= i + s.kv_len - s.q_len); };
        auto krow = [&](int64_t j) { return s.key_row(b, j) * width + h * hd; };
        const uint32_t base = uint32_t(((b * s.heads + h) * s.q_len + i) * s.kv_len);
        auto mask = [&](int64_t j) { return d.active() ? double(d.scale(base + uint32_t(j))) : 1.0; };
        std::vector<double> p(size_t(s.kv_len), 0.0);
        double max_score = -INFINITY, sum = 0.0;
        for (int64_t j = 0; j < s.kv_len; ++j) {
          if (!visible(j)) continue;
          double dot = 0.0;
          for (int64_t c = 0; c < hd; ++c) dot += double(q[qrow + c]) * k[krow(j) + c];
          p[j] = dot * scale;
          max_score = std::max(max_score, p[j]);
        }
        for (int64_t j = 0; j < s.kv_len; ++j)
          if (visible(j)) sum += (p[j] = std::exp(p[j] - max_score));
        for (int64_t j = 0; j < s.kv_len; ++j) {
          if (visible(j)) p[j] /= sum;
          r.probs[base + j] = p[j];
          for (int64_t c = 0; c < hd; ++c) r.out[qrow + c] += p[j] * mask(j) * v[krow(j) + c];
        }
        // Backward: dP_j = mask_j dO . V_j; dS_j = P_j (dP_j - sum_k P_k dP_k).
        std::vector<double> dp(size_t(s.kv_len), 0.0);
        double weighted = 0.0;
        for (int64_t j = 0; j < s.kv_len; ++j) {
          for (int64_t c = 0; c < hd; ++c) {
            dp[j] += double(dout[qrow + c]) * v[krow(j) + c];
            r.dv[krow(j) + c] += p[j] * mask(j) * dout[qrow + c];
          }
          dp[j] *= mask(j);
          weighted += p[j] * dp[j];
        }
        for (int64_t j = 0; j < s.kv_len; ++j) {
          const double ds = p[j] * (dp[j] - weighted) * scale;
          for (int64_t c = 0; c < hd; ++c) {
            r.dq[qrow + c] += ds * k[krow(j) + c];
            r.dk[krow(j) + c] += ds * q[qrow + c];
          }
        }
      }
    }
  }
  return r;
}

template <typename A, typename B>
void expect_near_all(const A& actual, const B& expected, const char* what, double tolerance = 2e-5) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  double worst = 0.0;
  size_t where = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double error = std::abs(double(actual[i]) - double(expected[i]));
    if (error > worst) worst = error, where = i;
  }
  EXPECT_LE(worst, tolerance) << what << " differs most at " << where << ": " << actual[where] << " vs "
                              << expected[where];
}

class AttentionKernel : public ::testing::TestWithParam<Case> {};

TEST_P(AttentionKernel, MatchesTheDefinition) {
  Case c = GetParam();
  AttentionShape& s = c.shape;
  s.key_lengths = c.key_lengths.empty() ? nullptr : c.key_lengths.data();
  s.kv_index = c.kv_index.empty() ? nullptr : c.kv_index.data();
  const int64_t width = s.heads * s.head_dim;
  const int64_t key_rows = key_sentences(c) * (s.kv_stride ? s.kv_stride : s.kv_len);
  const auto q = random_floats(s.batch * s.q_len * width, 1), dout = random_floats(s.batch * s.q_len * width, 2);
  const auto k = random_floats(key_rows * width, 3), v = random_floats(key_rows * width, 4);
  const Dropout d{c.dropout, 12345};
  const Reference expected = reference(s, q, k, v, dout, d);

  std::vector<float> out(q.size(), NAN), probs(expected.probs.size(), NAN);
  attention_forward(s, {q.data(), width}, {k.data(), width}, {v.data(), width}, d, probs.data(),
                    {out.data(), width});
  expect_near_all(out, expected.out, "output");
  expect_near_all(probs, expected.probs, "weights");
  std::vector<float> unsaved(q.size(), NAN);  // inference: no weights kept, same output
  attention_forward(s, {q.data(), width}, {k.data(), width}, {v.data(), width}, d, nullptr,
                    {unsaved.data(), width});
  expect_near_all(unsaved, out, "output without saved weights", 0.0);

  if (s.kv_index || s.kv_stride) return;  // backward serves the training layout only
  std::vector<float> dq(q.size(), NAN), dk(k.size(), NAN), dv(v.size(), NAN);
  attention_backward(s, {q.data(), width}, {k.data(), width}, {v.data(), width}, probs.data(), d,
                     {dout.data(), width}, {dq.data(), width}, {dk.data(), width}, {dv.data(), width});
  expect_near_all(dq, expected.dq, "dQ");
  expect_near_all(dk, expected.dk, "dK");
  expect_near_all(dv, expected.dv, "dV");
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, AttentionKernel,
    ::testing::Values(
        // batch, heads, head_dim, q_len, kv_len
        Case{"CausalSeveralTiles", {2, 2, 4, 150, 150, nullptr, true}, {150, 70}, {}, 0.0f},
        Case{"CausalWithDropout", {2, 2, 4, 80, 80, nullptr, true}, {80, 20}, {}, 0.3f},
        Case{"PaddedSeveralTiles", {2, 3, 5, 70, 70, nullptr, false}, {70, 9}, {}, 0.2f},
        Case{"CrossAttention", {3, 2, 4, 90, 67, nullptr, false}, {67, 1, 30}, {}, 0.1f},
        Case{"EmptySentence", {2, 2, 4, 70, 70, nullptr, true}, {70, 0}, {}, 0.0f},
        Case{"CachedKeysWithRoom", {3, 2, 4, 1, 6, nullptr, false, nullptr, 10}, {}, {}, 0.0f},
        Case{"BeamsShareSentenceKeys", {4, 2, 4, 1, 9, nullptr, false}, {9, 4}, {0, 0, 1, 1}, 0.0f}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tfm::kernels
