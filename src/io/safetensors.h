#pragma once
// The safetensors format (github.com/huggingface/safetensors), the file format of model weights:
//   8 bytes   N, the header length, unsigned little-endian
//   N bytes   JSON object: {"<tensor>": {"dtype": "F32", "shape": [..], "data_offsets": [begin,
//   end]},
//             ..., "__metadata__": {"<key>": "<value>", ...}}, padded with spaces
//   the rest  the tensors' raw little-endian bytes; offsets count from the start of this section,
//             and the tensors cover it exactly: no gaps, no overlaps.
// Goals: read files written by the reference implementation and by PyTorch users, reject every
// malformed file with a message naming the file and tensor, write files the reference accepts.
// Non-goals: memory mapping, lazy loading, sub-byte dtypes.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "io/dtype.h"
#include "io/format_error.h"

namespace tfm::io {

using Metadata = std::map<std::string, std::string>;

// "[2, 3]", as Shape::str() writes it, for any rank.
std::string shape_str(const std::vector<int64_t>& shape);

// One tensor's entry in the header.
struct TensorInfo {
  std::string name;
  Dtype dtype = Dtype::F32;
  std::vector<int64_t> shape;
  std::size_t begin = 0;  // byte offsets into the data section
  std::size_t end = 0;

  int64_t numel() const;
};

// A whole safetensors file, read into memory and validated on construction.
class SafetensorsReader {
 public:
  explicit SafetensorsReader(std::filesystem::path path);  // throws FormatError

  const std::filesystem::path& path() const { return path_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }  // in data order
  const TensorInfo* find(const std::string& name) const;
  const Metadata& metadata() const { return metadata_; }

  // From F32, or converted from F16, BF16 and F64; `out` holds exactly numel() values.
  void read_float32(const std::string& name, std::span<float> out) const;
  std::vector<float> read_float32(const std::string& name) const;
  // From I64, or widened from I32.
  std::vector<int64_t> read_int64(const std::string& name) const;

 private:
  const TensorInfo& get(const std::string& name) const;  // throws FormatError when absent
  const char* data(const TensorInfo& tensor) const {
    return bytes_.data() + data_start_ + tensor.begin;
  }
  [[noreturn]] void fail(const std::string& what) const;

  std::filesystem::path path_;
  std::string bytes_;  // the whole file
  std::size_t data_start_ = 0;
  std::vector<TensorInfo> tensors_;
  Metadata metadata_;
};

struct TensorToWrite {
  std::string name;
  Dtype dtype = Dtype::F32;
  std::vector<int64_t> shape;
  const void* data = nullptr;  // shape's numel elements of dtype, little-endian
};

// Writes atomically (io/atomic_file.h): the header lists `metadata` first, then the tensors in
// the given order, laid out back to back in that order. The data section starts 8-aligned, so
// every tensor is aligned to its element size when larger dtypes come first (the reference
// writer sorts by dtype size for this reason); an all-F32 file is always aligned.
void write_safetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                       const Metadata& metadata = {});

}  // namespace tfm::io
