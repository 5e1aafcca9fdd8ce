#include "tensor/workspace.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <new>

namespace tfm {

namespace {
constexpr size_t kAlignment = 64;
constexpr size_t kMinBlockBytes = size_t{16} << 20;
size_t round_up(size_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }
}  // namespace

Workspace::Block Workspace::allocate(size_t bytes) {
  void* p = std::aligned_alloc(kAlignment, round_up(bytes));
  if (!p) throw std::bad_alloc();
  Block block;
  block.memory = {static_cast<std::byte*>(p), [](std::byte* q) { std::free(q); }};
  block.capacity = round_up(bytes);
  return block;
}

float* Workspace::take_floats(int64_t count) {
  assert(count >= 0);
  const size_t bytes = round_up(static_cast<size_t>(count) * sizeof(float));
  in_use_ += bytes;
  high_water_ = std::max(high_water_, in_use_);
  if (blocks_.empty() || blocks_.back().capacity - blocks_.back().used < bytes)
    blocks_.push_back(allocate(std::max(bytes, kMinBlockBytes)));
  Block& block = blocks_.back();
  std::byte* p = block.memory.get() + block.used;
  block.used += bytes;
  return reinterpret_cast<float*>(p);
}

Tensor Workspace::take(Shape shape) { return Tensor{take_floats(shape.numel()), shape}; }

Tensor Workspace::take_zeros(Shape shape) {
  Tensor t = take(shape);
  std::memset(t.data, 0, static_cast<size_t>(t.numel()) * sizeof(float));
  return t;
}

Workspace::Mark Workspace::mark() const {
  return {blocks_.size(), blocks_.empty() ? 0 : blocks_.back().used, in_use_};
}

Tensor Workspace::release_to(const Mark& mark, const Tensor& keep) {
  const size_t bytes = round_up(static_cast<size_t>(keep.numel()) * sizeof(float));
  // Where the mark points: its block, or the first one when there was none yet.
  const size_t target_block = mark.blocks == 0 ? 0 : mark.blocks - 1;
  const size_t target_used = mark.blocks == 0 ? 0 : mark.used;
  assert(target_block < blocks_.size());
  Block& target = blocks_[target_block];
  // Only while a first pass still overflows into new blocks can `keep` fail to fit there;
  // then it stays where it is, and reset() sizes the next pass's block to fit everything.
  if (target.capacity - target_used < bytes) return keep;
  std::byte* destination = target.memory.get() + target_used;
  std::memmove(destination, keep.data, static_cast<size_t>(keep.numel()) * sizeof(float));
  blocks_.resize(target_block + 1);
  target.used = target_used + bytes;
  in_use_ = mark.in_use + bytes;
  return Tensor{reinterpret_cast<float*>(destination), keep.shape};
}

void Workspace::reset() {
  if (blocks_.size() > 1) {
    blocks_.clear();
    blocks_.push_back(allocate(high_water_));
  }
  for (Block& block : blocks_) block.used = 0;
  in_use_ = high_water_ = 0;
}

size_t Workspace::bytes_reserved() const {
  size_t total = 0;
  for (const Block& block : blocks_) total += block.capacity;
  return total;
}

}  // namespace tfm
