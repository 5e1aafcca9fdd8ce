// SentencePiece models through our wrapper (text::Tokenizer): a file that loads must then
// encode, decode and name its pieces without crashing; one that does not must end in
// std::runtime_error naming the file.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "memory_file.h"
#include "text/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tfm::fuzz::MemoryFile file;
  try {
    const tfm::text::Tokenizer tokenizer = tfm::text::Tokenizer::load(file.hold(data, size));
    const std::vector<int> ids = tokenizer.encode("Two dogs run. Zwei Hunde laufen. \xe2\x96\x81 \xc3\xa9");
    tokenizer.decode(ids);
    for (int id = 0; id < tokenizer.vocab_size() && id < 64; ++id) tokenizer.piece(id);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
