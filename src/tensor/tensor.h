#pragma once
// A float32 tensor view: contiguous, row-major, up to four dimensions, non-owning.
// Memory comes from a Workspace (activations, gradients) or a ParameterSet (weights).
#include <array>
#include <cassert>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace tfm {

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) {
    assert(dims.size() <= dims_.size());
    for (int64_t d : dims) dims_[rank_++] = d;
  }
  int rank() const { return rank_; }
  int64_t operator[](int i) const { assert(i >= 0 && i < rank_); return dims_[i]; }
  void set(int i, int64_t d) { assert(i >= 0 && i < rank_); dims_[i] = d; }
  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < rank_; ++i) n *= dims_[i];
    return n;
  }
  bool operator==(const Shape& other) const {
    if (rank_ != other.rank_) return false;
    for (int i = 0; i < rank_; ++i)
      if (dims_[i] != other.dims_[i]) return false;
    return true;
  }
  std::string str() const;  // "[2, 3, 4]"

 private:
  std::array<int64_t, 4> dims_{};
  int rank_ = 0;
};

struct Tensor {
  float* data = nullptr;
  Shape shape;

  int64_t numel() const { return shape.numel(); }
  // A rank-2 reading of the tensor: all leading dimensions are rows.
  int64_t cols() const { return shape.rank() == 0 ? 1 : shape[shape.rank() - 1]; }
  int64_t rows() const { return cols() == 0 ? 0 : numel() / cols(); }
  float* row(int64_t r) const { return data + r * cols(); }
  // Entries [begin, begin + count) along the first dimension.
  Tensor slice(int64_t begin, int64_t count) const {
    assert(shape.rank() >= 1 && begin >= 0 && begin + count <= shape[0]);
    const int64_t stride = shape[0] == 0 ? 0 : numel() / shape[0];
    Shape s = shape;
    s.set(0, count);
    return Tensor{data + begin * stride, s};
  }
};

// A trainable tensor and its gradient, same shape.
struct Param {
  Tensor value;
  Tensor grad;
  // Entries [begin, begin + count) along the first dimension of both, for a weight that
  // several products share (in_proj).
  Param slice(int64_t begin, int64_t count) const {
    return Param{value.slice(begin, count), grad.slice(begin, count)};
  }
};

}  // namespace tfm
