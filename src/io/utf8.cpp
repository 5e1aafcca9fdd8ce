#include "io/utf8.h"

#include <cstdint>

namespace tfm::io {

namespace {

// The ranges of RFC 3629 section 4: the lead byte fixes the length and narrows the first
// continuation byte, which is what excludes overlongs, surrogates and > U+10FFFF.
struct LeadRule {
  int length;               // bytes in the sequence, 0 for an invalid lead byte
  uint8_t second_lo = 0x80;  // allowed range of the first continuation byte
  uint8_t second_hi = 0xBF;
};

LeadRule rule_for(uint8_t lead) {
  if (lead < 0x80) return {1};
  if (lead < 0xC2) return {0};  // continuation bytes and the overlong leads C0, C1
  if (lead < 0xE0) return {2};
  if (lead == 0xE0) return {3, 0xA0, 0xBF};  // no overlong three-byte forms
  if (lead == 0xED) return {3, 0x80, 0x9F};  // no surrogates
  if (lead < 0xF0) return {3};
  if (lead == 0xF0) return {4, 0x90, 0xBF};  // no overlong four-byte forms
  if (lead < 0xF4) return {4};
  if (lead == 0xF4) return {4, 0x80, 0x8F};  // nothing above U+10FFFF
  return {0};
}

bool is_continuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

size_t find_invalid_utf8(std::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  size_t i = 0;
  while (i < text.size()) {
    if (byte(i) < 0x80) {  // the common case: plain ASCII
      ++i;
      continue;
    }
    const LeadRule rule = rule_for(byte(i));
    if (rule.length == 0) return i;
    if (i + 1 >= text.size() || byte(i + 1) < rule.second_lo || byte(i + 1) > rule.second_hi)
      return i;
    for (int k = 2; k < rule.length; ++k)
      if (i + k >= text.size() || !is_continuation(byte(i + k))) return i;
    i += rule.length;
  }
  return std::string_view::npos;
}

}  // namespace tfm::io
