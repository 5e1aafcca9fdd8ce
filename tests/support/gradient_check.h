#pragma once
// A generic finite-difference gradient check (as ggml's test-backend-ops does): for every
// tensor that has an analytic gradient, compare the directional derivative along a random
// direction v, <grad, v>, with the central difference (L(x + h v) - L(x - h v)) / 2h, and
// the same for a few single elements.
//
// Tolerance: the model runs in float32, so L carries a relative rounding error of about
// 1e-6 * (number of terms); with h = 1e-2 on inputs of order 1 the difference quotient is
// then good to ~1e-3 relative, and the truncation error O(h^2 L''') is smaller still. Kinks
// (ReLU) crossed by the +-h step add a little more. A 2e-2 relative error therefore only
// passes a correct gradient; a wrong factor, sign, missing term or transposition fails it
// by orders of magnitude.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace tfm::testing {

struct CheckedTensor {
  std::string name;
  Tensor value;
  Tensor grad;  // filled by the analytic pass
};

struct GradientCheckOptions {
  double step = 1e-2;
  double tolerance = 2e-2;
  // Below this magnitude the tolerance stops shrinking: the difference quotient of a float32
  // loss of order 10, after a few LayerNorms, carries up to ~3e-3 absolute noise.
  double magnitude_floor = 0.25;
  int single_elements = 3;
};

// `loss` recomputes the scalar from the current values; `gradients` zeroes every grad and
// runs forward and backward, filling each CheckedTensor::grad.
inline void expect_gradients_match(const std::function<double()>& loss, const std::function<void()>& gradients,
                                   const std::vector<CheckedTensor>& tensors, GradientCheckOptions options = {}) {
  gradients();
  SplitMix64 rng(1234);
  for (const CheckedTensor& t : tensors) {
    const int64_t n = t.value.numel();
    std::vector<float> saved(t.value.data, t.value.data + n);
    std::vector<float> grad(t.grad.data, t.grad.data + n);
    auto numeric_along = [&](const std::vector<float>& v) {
      for (int64_t i = 0; i < n; ++i) t.value.data[i] = saved[i] + float(options.step * v[i]);
      const double plus = loss();
      for (int64_t i = 0; i < n; ++i) t.value.data[i] = saved[i] - float(options.step * v[i]);
      const double minus = loss();
      std::copy(saved.begin(), saved.end(), t.value.data);
      return (plus - minus) / (2.0 * options.step);
    };
    // Along a random direction.
    std::vector<float> v(n);
    double analytic = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      v[i] = float(2.0 * rng.uniform01() - 1.0);
      analytic += double(grad[i]) * v[i];
    }
    const double numeric = numeric_along(v);
    EXPECT_NEAR(analytic, numeric, options.tolerance * std::max(options.magnitude_floor, std::abs(numeric)))
        << t.name << ": directional derivative";
    // Along single elements.
    for (int k = 0; k < options.single_elements && n > 0; ++k) {
      const int64_t i = int64_t(rng.next() % uint64_t(n));
      std::fill(v.begin(), v.end(), 0.0f);
      v[i] = 1.0f;
      const double numeric_i = numeric_along(v);
      EXPECT_NEAR(grad[i], numeric_i, options.tolerance * std::max(options.magnitude_floor, std::abs(numeric_i)))
          << t.name << "[" << i << "]";
    }
  }
}

// Fills a tensor with uniform values in [-scale, scale].
inline void fill_uniform(Tensor t, SplitMix64& rng, double scale = 1.0) {
  for (int64_t i = 0; i < t.numel(); ++i) t.data[i] = float((2.0 * rng.uniform01() - 1.0) * scale);
}

// sum(y * r) in double: a scalar whose gradient with respect to y is r.
inline double weighted_sum(const Tensor& y, const std::vector<float>& r) {
  double s = 0.0;
  for (int64_t i = 0; i < y.numel(); ++i) s += double(y.data[i]) * r[i];
  return s;
}

}  // namespace tfm::testing
