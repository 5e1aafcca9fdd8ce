// config.json: parsed, read field by field and validated, as every command loads it.
// Bad files must end in std::runtime_error (FormatError) naming the file.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "io/model_config.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tfm::fuzz::MemoryFile file;
  const std::string& path = file.hold(data, size);
  try {
    const tfm::io::ModelConfig config = tfm::io::ModelConfig::load(path);
    config.validate(path);
    // What validates must save and load back unchanged.
    if (tfm::io::ModelConfig::from_json(config.to_json(), path) != config) __builtin_trap();
  } catch (const std::runtime_error&) {
  }
  return 0;
}
