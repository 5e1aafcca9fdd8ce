#pragma once
// Memory for one step's activations and gradients. A bump allocator: take() hands out
// 64-byte aligned blocks, reset() gives them all back at once. After the first steps
// of a run it holds its high-water mark in one block, so steady-state steps never
// touch the system allocator.
//
// Inference needs none of a layer's intermediates once the next layer has its input:
// release_to() gives back everything taken since a mark() except one tensor, so a
// forward pass holds one layer's worth of activations, not the whole model's.
#include <cstddef>
#include <memory>
#include <vector>

#include "tensor/tensor.h"

namespace tfm {

class Workspace {
 public:
  Workspace() = default;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  // An uninitialised tensor valid until the next reset().
  Tensor take(Shape shape);
  // The same, filled with zeros.
  Tensor take_zeros(Shape shape);
  // Raw scratch space (for example per-thread partial sums), same lifetime.
  float* take_floats(int64_t count);

  // A point to come back to with release_to().
  struct Mark {
    size_t blocks;  // blocks held at the mark
    size_t used;    // bytes used in the last of them
    size_t in_use;  // bytes taken in all
  };
  Mark mark() const;
  // Gives back everything taken since `mark` except `keep` (taken since then too), which
  // moves down to the mark; returns its new place. Earlier views into the given-back
  // memory are invalid.
  Tensor release_to(const Mark& mark, const Tensor& keep);

  // Frees everything taken; if the last step overflowed into extra blocks, merges them
  // into one block big enough for the whole step.
  void reset();

  size_t bytes_reserved() const;
  // The most bytes held at once since the last reset().
  size_t peak_bytes() const { return high_water_; }

 private:
  struct Block {
    std::unique_ptr<std::byte[], void (*)(std::byte*)> memory{nullptr, nullptr};
    size_t capacity = 0;
    size_t used = 0;
  };
  static Block allocate(size_t bytes);
  std::vector<Block> blocks_;
  size_t in_use_ = 0;      // bytes taken and not given back, over all blocks
  size_t high_water_ = 0;  // the most in_use_ since the last reset
};

}  // namespace tfm
