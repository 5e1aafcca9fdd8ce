#pragma once
// UTF-8 <-> Unicode code points. Decoding is as strict as Python's "utf-8" codec (which
// sacreBLEU reads its files with) and RFC 3629: overlong forms, surrogates (U+D800..U+DFFF),
// values above U+10FFFF, stray continuation bytes and truncated sequences are all errors,
// so that everything downstream (SentencePiece, BLEU, the JSON we write) sees well-formed text.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace tfm::text {

// Where and why a text is not UTF-8.
struct InvalidUtf8 {
  size_t byte_offset;  // first byte of the malformed sequence, from 0
  std::string detail;  // the offending byte and what is wrong with it: "0xFF: invalid start byte"
};

class Utf8Error : public std::runtime_error {
 public:
  explicit Utf8Error(InvalidUtf8 problem)
      : std::runtime_error("invalid UTF-8 at byte " + std::to_string(problem.byte_offset) + " (" +
                           problem.detail + ")"),
        problem_(std::move(problem)) {}
  size_t byte_offset() const { return problem_.byte_offset; }
  const std::string& detail() const { return problem_.detail; }

 private:
  InvalidUtf8 problem_;
};

// The first malformed sequence, or nothing when all of `bytes` is valid.
std::optional<InvalidUtf8> find_invalid_utf8(std::string_view bytes);
// Throws Utf8Error naming the offset and the offending byte.
std::u32string decode_utf8(std::string_view bytes);
// `text` must hold valid code points (no surrogates, nothing above U+10FFFF).
std::string encode_utf8(std::u32string_view text);
void append_utf8(std::string& out, char32_t code_point);

// Lenient decoding, for text that is shown or must go on (labels of a figure, translation
// input): the code point starting at bytes[pos], pos moved past it. An ill-formed sequence
// yields one U+FFFD for its longest start that could have begun a well-formed sequence (or
// its first byte), the Unicode standard's recommended practice (§3.9, "maximal subparts") and
// what Python's errors="replace" does, so every input decodes to something.
inline constexpr char32_t kReplacementCharacter = U'\uFFFD';
char32_t next_code_point(std::string_view bytes, size_t& pos);
// `bytes` with every ill-formed sequence replaced as next_code_point does.
std::string replace_invalid_utf8(std::string_view bytes);

}  // namespace tfm::text
