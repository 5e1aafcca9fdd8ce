#pragma once
// The model's trainable tensors by name. Names follow torch.nn.Transformer's state_dict
// (docs/model-format.md), so a model directory and a PyTorch state_dict map one to one.
// A tied weight is one entry that several layers hold views of.
// Gradients lie back to back in large blocks, in registration order, so that a run of
// consecutive entries' gradients is one piece of memory: a data-parallel run sums it over
// processes in place, without copying it into a buffer first.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace tfm {

class ParameterSet {
 public:
  struct Entry {
    std::string name;
    Param param;
  };

  // Registers a zero-initialised parameter; the returned views stay valid for the set's life.
  Param add(const std::string& name, Shape shape);

  const std::vector<Entry>& entries() const { return entries_; }
  // The gradients of entries [first, last) as one span, the alignment gaps between them
  // included (always zero); empty when a new block began inside the range.
  std::span<float> gradient_run(size_t first, size_t last) const;
  const Entry* find(const std::string& name) const;
  int64_t total_numel() const;

  void zero_grads();
  // sqrt of the sum of squares of every gradient, for clipping by global norm.
  double grad_norm() const;
  void scale_grads(float factor);

 private:
  float* allocate_gradient(int64_t numel);

  std::vector<Entry> entries_;
  std::vector<size_t> gradient_block_;  // per entry: its index in gradient_blocks_
  std::vector<std::unique_ptr<float, void (*)(void*)>> storage_;
  std::vector<std::unique_ptr<float, void (*)(void*)>> gradient_blocks_;
  int64_t block_used_ = 0, block_capacity_ = 0;  // floats, of the last block
};

}  // namespace tfm
