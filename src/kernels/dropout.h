#pragma once
// Inverted dropout (Srivastava et al., 2014): kept values are scaled by 1/(1-p) in training,
// so inference needs no rescaling. The mask is a pure function of (key, index): backward
// regenerates it rather than storing it.
#include <cstdint>

#include "tensor/random.h"

namespace tfm::kernels {

struct Dropout {
  float p = 0.0f;     // probability of dropping; 0 means off
  uint32_t key = 0;   // stream key: one per (seed, step, site)

  bool active() const { return p > 0.0f; }
  // The factor element `index` is multiplied by: 0 or 1/(1-p).
  float scale(uint32_t index) const {
    return uniform01(key, index) < p ? 0.0f : 1.0f / (1.0f - p);
  }
};

// y = dropout(x); y may alias x. Also serves backward: dx = dropout(dy) with the same mask.
void dropout(const Dropout& d, const float* x, float* y, int64_t n);

}  // namespace tfm::kernels
