#pragma once
// The element types a safetensors file may declare, by their names in the format's header.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tfm::io {

enum class Dtype {
  BOOL,
  U8,
  I8,
  F8_E5M2,
  F8_E4M3,
  I16,
  U16,
  F16,
  BF16,
  I32,
  U32,
  F32,
  F64,
  I64,
  U64
};

std::string_view dtype_name(Dtype dtype);
std::size_t dtype_size(Dtype dtype);  // bytes per element
std::optional<Dtype> parse_dtype(std::string_view name);
std::string dtype_names();  // "BOOL, U8, ...", for error messages

// Exact conversions of the 16-bit float formats to float32.
float half_to_float(uint16_t bits);      // IEEE 754 binary16 (F16)
float bfloat16_to_float(uint16_t bits);  // bfloat16 (BF16): the top half of a float32

}  // namespace tfm::io
