#pragma once
// The model's trainable tensors by name. Names follow torch.nn.Transformer's state_dict
// (docs/model-format.md), so a model directory and a PyTorch state_dict map one to one.
// A tied weight is one entry that several layers hold views of.
#include <memory>
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
  const Entry* find(const std::string& name) const;
  int64_t total_numel() const;

  void zero_grads();
  // sqrt of the sum of squares of every gradient, for clipping by global norm.
  double grad_norm() const;
  void scale_grads(float factor);

 private:
  std::vector<Entry> entries_;
  std::vector<std::unique_ptr<float, void (*)(void*)>> storage_;
};

}  // namespace tfm
