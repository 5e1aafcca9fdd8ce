#include "viz/utf8.h"

#include <cassert>

#include "text/utf8.h"

namespace tfm::viz {

size_t utf8_length(std::string_view text) {
  size_t count = 0;
  for (size_t pos = 0; pos < text.size(); ++count) text::next_code_point(text, pos);
  return count;
}

std::string truncate_with_ellipsis(std::string_view text, size_t max_chars) {
  assert(max_chars >= 1);
  if (utf8_length(text) <= max_chars) return std::string(text);
  size_t pos = 0;
  for (size_t kept = 0; kept + 1 < max_chars; ++kept) text::next_code_point(text, pos);
  // Ill-formed bytes among the kept ones stay as they are: escape_xml replaces them later.
  std::string out(text.substr(0, pos));
  text::append_utf8(out, U'\u2026');
  return out;
}

}  // namespace tfm::viz
