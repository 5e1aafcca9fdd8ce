#include "kernels/embedding.h"

#include <omp.h>

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
    const int64_t position = shape.row_positions ? shape.row_positions[r] : r % shape.seq_len + shape.position_offset;
    const float* p = positions + position * dim;
    float* o = out + r * dim;
    if (d.active()) {
#pragma omp simd
      for (int64_t c = 0; c < dim; ++c) o[c] = (e[c] * scale + p[c]) * d.scale(uint32_t(r * dim + c));
    } else {
#pragma omp simd
      for (int64_t c = 0; c < dim; ++c) o[c] = e[c] * scale + p[c];
    }
  }
}

void embedding_backward(const EmbeddingShape& shape, const int32_t* ids, const float* dout, float scale,
                        Dropout d, float* dtable) {
  const profile::Scope scope("embedding_backward");
  // The same id may occur in many rows: each thread owns the ids that are equal to its
  // number modulo the thread count, and adds whole rows into them (contiguous memory).
  const int64_t dim = shape.dim;
#pragma omp parallel
  {
    const int32_t threads = omp_get_num_threads(), me = omp_get_thread_num();
    for (int64_t r = 0; r < shape.rows; ++r) {
      if (ids[r] % threads != me) continue;
      float* g = dtable + int64_t(ids[r]) * dim;
      const float* dr = dout + r * dim;
      if (d.active()) {
#pragma omp simd
        for (int64_t c = 0; c < dim; ++c) g[c] += dr[c] * scale * d.scale(uint32_t(r * dim + c));
      } else {
#pragma omp simd
        for (int64_t c = 0; c < dim; ++c) g[c] += dr[c] * scale;
      }
    }
  }
}

}  // namespace tfm::kernels
