#include "tensor/parameters.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <new>
#include <stdexcept>

#include "kernels/profile.h"

namespace tfm {

namespace {

constexpr int64_t kGradientBlockFloats = int64_t(16) << 20;  // 64 MiB
constexpr int64_t kGradientAlignFloats = 16;                // 64 bytes: a cache line

// Zeroed with calloc: large blocks then come as untouched zero pages, which cost no memory
// until a backward pass writes them, so a model that only translates never pays for its
// gradients, and the unused end of a block never costs anything.
float* allocate_zeros(int64_t numel) {
  float* p = static_cast<float*>(std::calloc(size_t(std::max<int64_t>(numel, 1)), sizeof(float)));
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

float* ParameterSet::allocate_gradient(int64_t numel) {
  const int64_t start = (block_used_ + kGradientAlignFloats - 1) / kGradientAlignFloats * kGradientAlignFloats;
  if (gradient_blocks_.empty() || start + numel > block_capacity_) {
    block_capacity_ = std::max(kGradientBlockFloats, numel);
    gradient_blocks_.emplace_back(allocate_zeros(block_capacity_), &std::free);
    block_used_ = numel;
    return gradient_blocks_.back().get();
  }
  block_used_ = start + numel;
  return gradient_blocks_.back().get() + start;
}

Param ParameterSet::add(const std::string& name, Shape shape) {
  if (find(name)) throw std::logic_error("parameter registered twice: " + name);
  const int64_t n = shape.numel();
  storage_.emplace_back(allocate_zeros(n), &std::free);
  float* value = storage_.back().get();
  float* grad = allocate_gradient(n);
  gradient_block_.push_back(gradient_blocks_.size() - 1);
  Param param{Tensor{value, shape}, Tensor{grad, shape}};
  entries_.push_back({name, param});
  return param;
}

std::span<float> ParameterSet::gradient_run(size_t first, size_t last) const {
  assert(first < last && last <= entries_.size());
  if (gradient_block_[first] != gradient_block_[last - 1]) return {};
  const Tensor& end = entries_[last - 1].param.grad;
  float* begin = entries_[first].param.grad.data;
  return {begin, size_t(end.data + end.numel() - begin)};
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
