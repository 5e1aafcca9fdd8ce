// safetensors files: the reader validates the header and layout, then every tensor is read
// the way the model loader reads it. Malformed files must end in FormatError, nothing else.
#include <cstddef>
#include <cstdint>

#include "io/format_error.h"
#include "io/safetensors.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tfm::fuzz::MemoryFile file;
  try {
    const tfm::io::SafetensorsReader reader(file.hold(data, size));
    for (const tfm::io::TensorInfo& tensor : reader.tensors()) {
      try {
        reader.read_float32(tensor.name);
      } catch (const tfm::io::FormatError&) {
        reader.read_int64(tensor.name);  // not a float dtype: an integer one, or another FormatError
      }
    }
  } catch (const tfm::io::FormatError&) {
  }
  return 0;
}
