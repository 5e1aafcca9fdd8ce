// The training corpus reader, plain and gzip (recognised by its magic bytes, so inputs that
// start with 1f 8b exercise the gzip path): lines come out as valid UTF-8, or a
// std::runtime_error names the file and line.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "io/corpus.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tfm::fuzz::MemoryFile file;
  const std::string& path = file.hold(data, size);
  try {
    const std::string text = tfm::io::read_text(path);
    const std::vector<std::string> lines = tfm::io::read_lines(path);
    // No line is lost: every '\n' of the text ends one, and a last line may lack it.
    size_t newlines = 0;
    for (char c : text) newlines += c == '\n';
    const bool unterminated = !text.empty() && text.back() != '\n';
    if (lines.size() != newlines + unterminated) __builtin_trap();
  } catch (const std::runtime_error&) {
  }
  return 0;
}
