#include "kernels/embedding.h"

#include <algorithm>

#include "kernels/profile.h"

namespace tfm::kernels {

void embedding_forward(const EmbeddingShape& shape, const int32_t* ids, const float* table, float scale,
                       const float* positions, Dropout d, float* out) {
  const profile::Scope scope("embedding_forward");
  const int64_t dim = shape.dim;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < shape.rows; ++r) {
    const float* e = table + int64_t(ids[r]) * dim;
    const float* p = positions + (r % shape.seq_len + shape.position_offset) * dim;
    float* o = out + r * dim;
    for (int64_t c = 0; c < dim; ++c) o[c] = e[c] * scale + p[c];
    if (d.active())
      for (int64_t c = 0; c < dim; ++c) o[c] *= d.scale(uint32_t(r * dim + c));
  }
}

void embedding_backward(const EmbeddingShape& shape, const int32_t* ids, const float* dout, float scale,
                        Dropout d, float* dtable) {
  const profile::Scope scope("embedding_backward");
  // The same id may occur in many rows: split the columns across threads, not the rows.
  const int64_t dim = shape.dim;
  constexpr int64_t kBlock = 32;
#pragma omp parallel for schedule(static)
  for (int64_t c0 = 0; c0 < dim; c0 += kBlock) {
    const int64_t c1 = std::min(dim, c0 + kBlock);
    for (int64_t r = 0; r < shape.rows; ++r) {
      float* g = dtable + int64_t(ids[r]) * dim;
      const float* dr = dout + r * dim;
      for (int64_t c = c0; c < c1; ++c)
        g[c] += dr[c] * scale * (d.active() ? d.scale(uint32_t(r * dim + c)) : 1.0f);
    }
  }
}

}  // namespace tfm::kernels
