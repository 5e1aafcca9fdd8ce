#pragma once
// Inverted dropout (Srivastava et al., 2014): kept values are scaled by 1/(1-p) in training,
// so inference needs no rescaling. The mask is a pure function of (key, index): backward
// regenerates it rather than storing it.
#include <bit>
#include <cstdint>

#include "tensor/random.h"

namespace tfm::kernels {

// Kernels take it by value: two words, which the compiler can then keep in registers
// while a loop writes floats (through a reference it must assume they may change).
struct Dropout {
  float p = 0.0f;     // probability of dropping; 0 means off
  uint32_t key = 0;   // stream key: one per (seed, step, site)

  bool active() const { return p > 0.0f; }
  // The factor element `index` is multiplied by: 0 or 1/(1-p).
  // Branch-free (a bit mask, not a select between floats), so that loops over elements
  // vectorise even where floating-point operations may not be speculated.
  float scale(uint32_t index) const {
    const uint32_t kept = 0u - uint32_t(uniform01(key, index) >= p);  // all ones or zero
    return std::bit_cast<float>(kept & std::bit_cast<uint32_t>(1.0f / (1.0f - p)));
  }
};

// y = dropout(x); y may alias x. Also serves backward: dx = dropout(dy) with the same mask.
void dropout(Dropout d, const float* x, float* y, int64_t n);

}  // namespace tfm::kernels
