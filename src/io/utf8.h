#pragma once
// Strict UTF-8 validation (RFC 3629): rejects overlong forms, surrogates (U+D800..U+DFFF),
// code points above U+10FFFF and truncated sequences, so that everything downstream
// (SentencePiece, BLEU, the JSON we write) sees well-formed text.
#include <cstddef>
#include <string_view>

namespace tfm::io {

// Offset of the first byte that does not start or continue a valid sequence, or
// std::string_view::npos when the whole text is valid.
size_t find_invalid_utf8(std::string_view text);

}  // namespace tfm::io
