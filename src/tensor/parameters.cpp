#include "tensor/parameters.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <new>
#include <stdexcept>

#include "kernels/profile.h"

namespace tfm {

Param ParameterSet::add(const std::string& name, Shape shape) {
  if (find(name)) throw std::logic_error("parameter registered twice: " + name);
  const int64_t n = shape.numel();
  // Zeroed with calloc: a large gradient then comes as untouched zero pages, which cost no
  // memory until a backward pass writes them, so a model that only translates never pays for them.
  float* value = static_cast<float*>(std::calloc(size_t(std::max<int64_t>(n, 1)), sizeof(float)));
  float* grad = static_cast<float*>(std::calloc(size_t(std::max<int64_t>(n, 1)), sizeof(float)));
  if (!value || !grad) {
    std::free(value);
    std::free(grad);
    throw std::bad_alloc();
  }
  storage_.emplace_back(value, &std::free);
  storage_.emplace_back(grad, &std::free);
  Param param{Tensor{value, shape}, Tensor{grad, shape}};
  entries_.push_back({name, param});
  return param;
}

const ParameterSet::Entry* ParameterSet::find(const std::string& name) const {
  for (const Entry& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

int64_t ParameterSet::total_numel() const {
  int64_t n = 0;
  for (const Entry& e : entries_) n += e.param.value.numel();
  return n;
}

void ParameterSet::zero_grads() {
  const kernels::profile::Scope scope("zero_grads");
  for (const Entry& e : entries_) {
    float* g = e.param.grad.data;
    const int64_t n = e.param.grad.numel();
#pragma omp parallel for schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; ++i) g[i] = 0.0f;
  }
}

double ParameterSet::grad_norm() const {
  const kernels::profile::Scope scope("grad_norm");
  double sum = 0.0;
  for (const Entry& e : entries_) {
    const float* g = e.param.grad.data;
    const int64_t n = e.param.grad.numel();
#pragma omp parallel for simd reduction(+ : sum) schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; ++i) sum += double(g[i]) * g[i];
  }
  return std::sqrt(sum);
}

void ParameterSet::scale_grads(float factor) {
  for (const Entry& e : entries_) {
    float* g = e.param.grad.data;
    const int64_t n = e.param.grad.numel();
#pragma omp parallel for schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; ++i) g[i] *= factor;
  }
}

}  // namespace tfm
