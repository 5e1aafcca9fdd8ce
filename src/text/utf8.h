#pragma once
// UTF-8 <-> Unicode code points. Decoding is as strict as Python's "utf-8" codec (which
// sacreBLEU reads its files with): overlong forms, surrogates (U+D800..U+DFFF), values
// above U+10FFFF, stray continuation bytes and truncated sequences are all errors.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tfm::text {

class Utf8Error : public std::runtime_error {
 public:
  Utf8Error(size_t byte_offset, const std::string& detail)
      : std::runtime_error("invalid UTF-8 at byte " + std::to_string(byte_offset) + " (" + detail + ")"),
        byte_offset_(byte_offset),
        detail_(detail) {}
  // Offset of the first byte of the malformed sequence.
  size_t byte_offset() const { return byte_offset_; }
  // The offending byte and what is wrong with it: "0xFF: invalid start byte".
  const std::string& detail() const { return detail_; }

 private:
  size_t byte_offset_;
  std::string detail_;
};

// Throws Utf8Error naming the offset and the offending byte.
std::u32string decode_utf8(std::string_view bytes);
// `text` must hold valid code points (no surrogates, nothing above U+10FFFF).
std::string encode_utf8(std::u32string_view text);

}  // namespace tfm::text
