#include "io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/atomic_file.h"

namespace tfm::io {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; a big-endian host would need byte swaps");

using nlohmann::json;

// The reference implementation refuses larger headers too: no real header comes near this.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr std::string_view kMetadataKey = "__metadata__";

std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  std::string bytes;
  in.seekg(0, std::ios::end);
  bytes.resize(static_cast<std::size_t>(in.tellg()));
  in.seekg(0);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return bytes;
}

std::string quoted(const std::string& name) { return '"' + name + '"'; }

std::string offsets_str(std::size_t begin, std::size_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

std::string byte_range_str(std::size_t begin, std::size_t end) {  // half-open
  return "bytes [" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

// A list of non-negative integers that fit in int64 (shapes) or size_t (offsets).
std::vector<uint64_t> unsigned_list(const json& value) {
  std::vector<uint64_t> list;
  if (!value.is_array()) return list;
  for (const json& v : value) {
    if (!v.is_number_unsigned() || v.get<uint64_t>() > uint64_t{INT64_MAX}) return {};
    list.push_back(v.get<uint64_t>());
  }
  return list;
}

[[noreturn]] void format_error(const std::string& where, const std::string& what) {
  throw FormatError(where + ": " + what);
}

// Parses and checks one header entry against itself and the data section's size; the layout
// of the entries relative to each other is checked once all are known.
TensorInfo parse_tensor_info(const std::string& name, const json& entry, std::size_t data_size,
                             const std::string& where) {
  if (!entry.is_object())
    format_error(where, "entry is a JSON " + std::string(entry.type_name()) +
                            ", expected an object with dtype, shape and data_offsets");
  for (const auto& [key, value] : entry.items())
    if (key != "dtype" && key != "shape" && key != "data_offsets")
      format_error(where,
                   "unknown key " + quoted(key) + " (expected dtype, shape and data_offsets)");
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!entry.contains(key)) format_error(where, std::string("missing key \"") + key + "\"");

  TensorInfo info;
  info.name = name;
  const json& dtype = entry["dtype"];
  if (!dtype.is_string()) format_error(where, "dtype is " + dtype.dump() + ", expected a string");
  const std::optional<Dtype> parsed = parse_dtype(dtype.get<std::string>());
  if (!parsed)
    format_error(where, "unknown dtype " + dtype.dump() + " (known: " + dtype_names() + ")");
  info.dtype = *parsed;

  const json& shape = entry["shape"];
  const std::vector<uint64_t> dims = unsigned_list(shape);
  if (!shape.is_array() || dims.size() != shape.size())
    format_error(where, "shape is " + shape.dump() + ", expected a list of non-negative integers");
  uint64_t bytes = dtype_size(info.dtype);
  for (uint64_t d : dims) {
    if (__builtin_mul_overflow(bytes, d, &bytes))
      format_error(where, "shape " + shape.dump() + " is too large");
    info.shape.push_back(static_cast<int64_t>(d));
  }

  const json& offsets = entry["data_offsets"];
  const std::vector<uint64_t> range = unsigned_list(offsets);
  if (range.size() != 2 || offsets.size() != 2)
    format_error(where, "data_offsets is " + offsets.dump() +
                            ", expected [begin, end] with non-negative integers");
  if (range[0] > range[1]) format_error(where, "data_offsets " + offsets.dump() + " run backwards");
  if (range[1] > data_size)
    format_error(where, "data_offsets " + offsets.dump() +
                            " reach past the end of the data section (" +
                            std::to_string(data_size) + " bytes)");
  info.begin = range[0];
  info.end = range[1];
  if (info.end - info.begin != bytes)
    format_error(where, "shape " + shape_str(info.shape) + " of " +
                            std::string(dtype_name(info.dtype)) + " needs " +
                            std::to_string(bytes) + " bytes but data_offsets " + offsets.dump() +
                            " hold " + std::to_string(info.end - info.begin));
  return info;
}

Metadata parse_metadata(const json& value, const std::string& where) {
  Metadata metadata;
  if (value.is_null()) return metadata;
  if (!value.is_object())
    format_error(where, "\"__metadata__\" is a JSON " + std::string(value.type_name()) +
                            ", expected an object of strings");
  for (const auto& [key, v] : value.items()) {
    if (!v.is_string())
      format_error(where, "\"__metadata__\" entry " + quoted(key) + " is " + v.dump() +
                              ", expected a string");
    metadata[key] = v.get<std::string>();
  }
  return metadata;
}

template <typename From, typename Convert>
void convert_to_float(const char* src, std::span<float> out, Convert convert) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    From value;
    std::memcpy(&value, src + i * sizeof(From), sizeof(From));  // data may be unaligned
    out[i] = convert(value);
  }
}

}  // namespace

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

int64_t TensorInfo::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

SafetensorsReader::SafetensorsReader(std::filesystem::path path) : path_(std::move(path)) {
  bytes_ = read_whole_file(path_);
  if (bytes_.size() < 8)
    fail("file is " + std::to_string(bytes_.size()) +
         " bytes long, too short for the 8-byte header length");
  uint64_t header_bytes = 0;
  std::memcpy(&header_bytes, bytes_.data(), 8);
  if (header_bytes > kMaxHeaderBytes)
    fail("header length " + std::to_string(header_bytes) + " is larger than the limit of " +
         std::to_string(kMaxHeaderBytes) + " bytes; is this a safetensors file?");
  if (header_bytes > bytes_.size() - 8)
    fail("header length " + std::to_string(header_bytes) + " exceeds the " +
         std::to_string(bytes_.size() - 8) + " bytes that follow it");
  data_start_ = 8 + header_bytes;
  const std::size_t data_size = bytes_.size() - data_start_;

  json header;
  try {
    header =
        json::parse(bytes_.begin() + 8, bytes_.begin() + static_cast<std::ptrdiff_t>(data_start_));
  } catch (const json::exception& e) {  // parse_error, and out_of_range for numbers such as 1e999
    fail(std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object())
    fail("header is a JSON " + std::string(header.type_name()) + ", expected an object");
  for (const auto& [key, value] : header.items()) {
    const std::string where = path_.string() + ": tensor " + quoted(key);
    if (key == kMetadataKey)
      metadata_ = parse_metadata(value, path_.string());
    else
      tensors_.push_back(parse_tensor_info(key, value, data_size, where));
  }

  // The tensors, in data order, must tile the data section: each starts where the last ended.
  std::stable_sort(tensors_.begin(), tensors_.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  std::size_t covered = 0;
  const TensorInfo* previous = nullptr;
  for (const TensorInfo& t : tensors_) {
    if (t.begin < covered)
      fail("tensor " + quoted(t.name) + ": data_offsets " + offsets_str(t.begin, t.end) +
           " overlap tensor " + quoted(previous->name) + " at " +
           offsets_str(previous->begin, previous->end));
    if (t.begin > covered)
      fail(byte_range_str(covered, t.begin) + " of the data section, before tensor " +
           quoted(t.name) + ", belong to no tensor");
    covered = t.end;
    previous = &t;
  }
  if (covered != data_size)
    fail(byte_range_str(covered, data_size) +
         " at the end of the data section belong to no tensor");
}

const TensorInfo* SafetensorsReader::find(const std::string& name) const {
  for (const TensorInfo& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

const TensorInfo& SafetensorsReader::get(const std::string& name) const {
  const TensorInfo* t = find(name);
  if (!t) fail("no tensor named " + quoted(name));
  return *t;
}

void SafetensorsReader::read_float32(const std::string& name, std::span<float> out) const {
  const TensorInfo& t = get(name);
  assert(out.size() == static_cast<std::size_t>(t.numel()));
  const char* src = data(t);
  switch (t.dtype) {
    case Dtype::F32:  // copy_n, not memcpy: an empty span may have no storage
      std::copy_n(src, out.size_bytes(), reinterpret_cast<char*>(out.data()));
      return;
    case Dtype::F16:
      convert_to_float<uint16_t>(src, out, half_to_float);
      return;
    case Dtype::BF16:
      convert_to_float<uint16_t>(src, out, bfloat16_to_float);
      return;
    case Dtype::F64:
      convert_to_float<double>(src, out, [](double v) { return static_cast<float>(v); });
      return;
    default:
      fail("tensor " + quoted(name) + ": dtype " + std::string(dtype_name(t.dtype)) +
           " cannot be read as float32 (expected F32, F16, BF16 or F64)");
  }
}

std::vector<float> SafetensorsReader::read_float32(const std::string& name) const {
  std::vector<float> values(static_cast<std::size_t>(get(name).numel()));
  read_float32(name, values);
  return values;
}

std::vector<int64_t> SafetensorsReader::read_int64(const std::string& name) const {
  const TensorInfo& t = get(name);
  std::vector<int64_t> values(static_cast<std::size_t>(t.numel()));
  const char* src = data(t);
  switch (t.dtype) {
    case Dtype::I64:
      std::copy_n(src, values.size() * sizeof(int64_t), reinterpret_cast<char*>(values.data()));
      break;
    case Dtype::I32:
      for (std::size_t i = 0; i < values.size(); ++i) {
        int32_t v;
        std::memcpy(&v, src + i * sizeof(v), sizeof(v));
        values[i] = v;
      }
      break;
    default:
      fail("tensor " + quoted(name) + ": dtype " + std::string(dtype_name(t.dtype)) +
           " cannot be read as int64 (expected I64 or I32)");
  }
  return values;
}

void SafetensorsReader::fail(const std::string& what) const {
  throw FormatError(path_.string() + ": " + what);
}

void write_safetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                       const Metadata& metadata) {
  // The reference writer's layout: metadata first, then the tensors by offset, compact JSON.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[std::string(kMetadataKey)] = metadata;
  std::vector<std::size_t> sizes;
  std::size_t offset = 0;
  for (const TensorToWrite& t : tensors) {
    if (t.name == kMetadataKey || header.contains(t.name))
      throw std::invalid_argument("safetensors: tensor name " + quoted(t.name) +
                                  " used twice or reserved");
    std::size_t bytes = dtype_size(t.dtype);
    for (int64_t d : t.shape) {
      if (d < 0)
        throw std::invalid_argument("safetensors: tensor " + quoted(t.name) + " has shape " +
                                    shape_str(t.shape));
      bytes *= static_cast<std::size_t>(d);
    }
    if (bytes > 0 && t.data == nullptr)
      throw std::invalid_argument("safetensors: tensor " + quoted(t.name) + " has no data");
    header[t.name] = {{"dtype", std::string(dtype_name(t.dtype))},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + bytes}}};
    sizes.push_back(bytes);
    offset += bytes;
  }
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');  // the data section starts 8-aligned
  const uint64_t header_bytes = header_text.size();

  AtomicFile file(path);
  file.write(&header_bytes, sizeof(header_bytes));
  file.write(header_text);
  for (std::size_t i = 0; i < tensors.size(); ++i) file.write(tensors[i].data, sizes[i]);
  file.commit();
}

}  // namespace tfm::io
