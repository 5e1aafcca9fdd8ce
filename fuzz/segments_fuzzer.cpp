// The BLEU/chrF segment reader (sacreBLEU's rules), from a file (plain or gzip: inputs that
// start with 1f 8b exercise the gzip path) and, for plain text, from the bytes in memory:
// both agree, or both fail with std::runtime_error.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "memory_file.h"
#include "text/segments.h"

namespace {

template <typename Read>
std::optional<std::vector<std::string>> lines_or_error(Read read) {
  try {
    return read().lines;
  } catch (const std::runtime_error&) {
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tfm::fuzz::MemoryFile file;
  const std::string& path = file.hold(data, size);
  const auto from_file = lines_or_error([&] { return tfm::text::read_segments_file(path); });
  const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  if (!gzip) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto from_bytes = lines_or_error([&] { return tfm::text::split_segments(bytes, path); });
    if (from_file != from_bytes) __builtin_trap();
  }
  return 0;
}
