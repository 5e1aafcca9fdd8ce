#pragma once
// Memory for one step's activations and gradients. A bump allocator: take() hands out
// 64-byte aligned blocks, reset() gives them all back at once. After the first steps
// of a run it holds its high-water mark in one block, so steady-state steps never
// touch the system allocator.
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

  // Frees everything taken; if the last step overflowed into extra blocks, merges them
  // into one block big enough for the whole step.
  void reset();

  size_t bytes_reserved() const;

 private:
  struct Block {
    std::unique_ptr<std::byte[], void (*)(std::byte*)> memory{nullptr, nullptr};
    size_t capacity = 0;
    size_t used = 0;
  };
  static Block allocate(size_t bytes);
  std::vector<Block> blocks_;
  size_t high_water_ = 0;  // bytes taken since the last reset, over all blocks
};

}  // namespace tfm
