#pragma once
// The Unicode character properties and string operations that sacreBLEU's Python code
// relies on, so that BLEU and chrF see the same characters, words and case as it does.
// Properties come from ICU's character database.
#include <string>
#include <string_view>
#include <vector>

namespace tfm::text {

// Python's str.isspace(), the separator of str.split() and str.rstrip(): every Unicode
// White_Space character (U+00A0 and U+3000 included) plus the ASCII separators \x1c-\x1f.
// U+200B (zero-width space) is not whitespace.
bool is_python_whitespace(char32_t c);

// Unicode general categories, as the regex module's \p{P}, \p{S}, \p{N} match them.
bool is_punctuation(char32_t c);  // Pc Pd Ps Pe Pi Pf Po
bool is_symbol(char32_t c);       // Sm Sc Sk So
bool is_number(char32_t c);       // Nd Nl No

// Python's str.split() with no argument: the runs of non-whitespace characters.
std::vector<std::u32string_view> split_whitespace(std::u32string_view text);
// Python's str.rstrip() with no argument.
std::u32string_view rstrip_whitespace(std::u32string_view text);
// Python's str.lower(): full (one-to-many) lowercase mapping in the root locale, with the
// final-sigma rule (ẞ -> ß, Σ at a word end -> ς, İ -> i + U+0307).
std::u32string python_lower(std::u32string_view text);

}  // namespace tfm::text
