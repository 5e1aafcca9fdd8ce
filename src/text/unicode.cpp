#include "text/unicode.h"

#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include <stdexcept>

namespace tfm::text {
namespace {

bool has_category(char32_t c, uint32_t category_mask) {
  return (U_GET_GC_MASK(static_cast<UChar32>(c)) & category_mask) != 0;
}

std::u16string to_utf16(std::u32string_view text) {
  // At most two UTF-16 units per code point.
  std::u16string out(2 * text.size(), u'\0');
  int32_t length = 0;
  UErrorCode status = U_ZERO_ERROR;
  u_strFromUTF32(out.data(), static_cast<int32_t>(out.size()), &length,
                 reinterpret_cast<const UChar32*>(text.data()), static_cast<int32_t>(text.size()),
                 &status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("UTF-32 to UTF-16: ") + u_errorName(status));
  out.resize(length);
  return out;
}

std::u32string to_utf32(std::u16string_view text) {
  std::u32string out(text.size(), U'\0');
  int32_t length = 0;
  UErrorCode status = U_ZERO_ERROR;
  u_strToUTF32(reinterpret_cast<UChar32*>(out.data()), static_cast<int32_t>(out.size()), &length,
               text.data(), static_cast<int32_t>(text.size()), &status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("UTF-16 to UTF-32: ") + u_errorName(status));
  out.resize(length);
  return out;
}

}  // namespace

bool is_python_whitespace(char32_t c) {
  return (c >= 0x1C && c <= 0x1F) || u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_WHITE_SPACE);
}

bool is_punctuation(char32_t c) { return has_category(c, U_GC_P_MASK); }
bool is_symbol(char32_t c) { return has_category(c, U_GC_S_MASK); }
bool is_number(char32_t c) { return has_category(c, U_GC_N_MASK); }

std::vector<std::u32string_view> split_whitespace(std::u32string_view text) {
  std::vector<std::u32string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_python_whitespace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !is_python_whitespace(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

std::u32string_view rstrip_whitespace(std::u32string_view text) {
  size_t end = text.size();
  while (end > 0 && is_python_whitespace(text[end - 1])) --end;
  return text.substr(0, end);
}

std::u32string python_lower(std::u32string_view text) {
  const std::u16string utf16 = to_utf16(text);
  // Full case mapping can lengthen the text (İ -> i + U+0307): retry with the size ICU asks for.
  std::u16string lower(utf16.size(), u'\0');
  for (;;) {
    UErrorCode status = U_ZERO_ERROR;
    const int32_t length = u_strToLower(lower.data(), static_cast<int32_t>(lower.size()), utf16.data(),
                                        static_cast<int32_t>(utf16.size()), "", &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
      lower.resize(length);
      continue;
    }
    if (U_FAILURE(status)) throw std::runtime_error(std::string("lowercasing: ") + u_errorName(status));
    lower.resize(length);
    return to_utf32(lower);
  }
}

}  // namespace tfm::text
