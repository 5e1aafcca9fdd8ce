#pragma once
// Exponentials of float rows for the softmax kernels (attention, cross-entropy,
// log-softmax), with Highway's vectorised Exp (hwy/contrib/math, about 1 ulp): the compiler
// does not vectorise std::exp without -ffast-math. Dispatched at run time to the widest SIMD
// target the CPU has (AVX-512 where present, even in the portable AVX2 build).
#include <cstdint>

namespace tfm::kernels {

// y[i] = exp(x[i] - shift) (y may be x); returns the sum of the y[i].
float exp_shifted(const float* x, int64_t n, float shift, float* y);
// The same sum, writing nothing.
float sum_exp_shifted(const float* x, int64_t n, float shift);
// max_i x[i] (n > 0).
float row_max(const float* x, int64_t n);

}  // namespace tfm::kernels
