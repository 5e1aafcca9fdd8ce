#include "kernels/dropout.h"
#include "kernels/profile.h"

namespace tfm::kernels {

void dropout(Dropout d, const float* x, float* y, int64_t n) {
  const profile::Scope scope("dropout");
  if (!d.active()) {
    if (y != x)
#pragma omp parallel for schedule(static) if (n > 32768)
      for (int64_t i = 0; i < n; ++i) y[i] = x[i];
    return;
  }
#pragma omp parallel for schedule(static) if (n > 32768)
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * d.scale(static_cast<uint32_t>(i));
}

}  // namespace tfm::kernels
