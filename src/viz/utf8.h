#pragma once
// Label lengths for drawing: SentencePiece pieces ("▁Haus", "<unk>", "ü") are
// measured and shortened by characters (code points), never cut inside a multi-byte sequence.
#include <cstddef>
#include <string>
#include <string_view>

namespace tfm::viz {

// Number of characters, each ill-formed sequence counting one (text::next_code_point).
size_t utf8_length(std::string_view text);

// The text itself when it has at most max_chars characters; otherwise its first
// max_chars - 1 characters followed by "…", so the result has exactly max_chars characters.
// max_chars must be at least 1.
std::string truncate_with_ellipsis(std::string_view text, size_t max_chars);

}  // namespace tfm::viz
