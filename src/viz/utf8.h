#pragma once
// Just enough UTF-8 for drawing labels: SentencePiece pieces ("▁Haus", "<unk>", "ü") are
// measured and shortened by characters (code points), never cut inside a multi-byte sequence.
#include <cstddef>
#include <string>
#include <string_view>

namespace tfm::viz {

inline constexpr char32_t kReplacementCharacter = U'\uFFFD';

// Decodes the code point starting at text[pos] and advances pos past it. An ill-formed
// sequence (stray continuation byte, overlong form, surrogate, cut short) yields U+FFFD and
// advances by one byte, so every input decodes to something.
char32_t next_code_point(std::string_view text, size_t& pos);

void append_utf8(std::string& out, char32_t code_point);

// Number of characters, counted as next_code_point counts them.
size_t utf8_length(std::string_view text);

// The text itself when it has at most max_chars characters; otherwise its first
// max_chars - 1 characters followed by "…", so the result has exactly max_chars characters.
// max_chars must be at least 1.
std::string truncate_with_ellipsis(std::string_view text, size_t max_chars);

}  // namespace tfm::viz
