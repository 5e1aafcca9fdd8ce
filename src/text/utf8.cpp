#include "text/utf8.h"

#include <cassert>
#include <cstdio>

namespace tfm::text {
namespace {

// The well-formed sequences of the Unicode standard (table 3-7): the lead byte fixes the
// length and the allowed range of the second byte; later bytes are always 80..BF.
struct LeadByte {
  int length;  // 0: not a valid lead byte
  unsigned char second_min, second_max;
  char32_t payload;  // the lead byte's bits of the code point
};

// For the bytes 80..FF; ASCII never gets here.
LeadByte classify(unsigned char b) {
  if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF, char32_t(b & 0x1F)};
  if (b == 0xE0) return {3, 0xA0, 0xBF, 0};                          // no overlongs
  if (b == 0xED) return {3, 0x80, 0x9F, 0xD};                        // no surrogates
  if (b >= 0xE1 && b <= 0xEF) return {3, 0x80, 0xBF, char32_t(b & 0x0F)};
  if (b == 0xF0) return {4, 0x90, 0xBF, 0};                          // no overlongs
  if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF, char32_t(b & 0x07)};
  if (b == 0xF4) return {4, 0x80, 0x8F, 4};                          // nothing above U+10FFFF
  return {0, 0, 0, 0};  // continuation bytes, the overlong leads C0 and C1, F5..FF
}

InvalidUtf8 invalid_at(std::string_view bytes, size_t offset, const char* reason) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(bytes[offset]));
  return {offset, std::string(hex) + ": " + reason};
}

// The code point starting at bytes[i] and its length in bytes, or why the sequence starting
// there is malformed.
struct Decoded {
  char32_t code_point = 0;
  int length = 0;                // 0: malformed
  const char* error = nullptr;   // why, when malformed
  int ill_formed_length = 0;     // when malformed: the bytes that began a well-formed sequence
                                 // before it broke off (at least 1), replaced as one
};

Decoded decode_one(std::string_view bytes, size_t i) {
  const auto first = static_cast<unsigned char>(bytes[i]);
  if (first < 0x80) return {char32_t(first), 1};  // the common case: plain ASCII
  const LeadByte lead = classify(first);
  if (lead.length == 0) return {0, 0, "invalid start byte", 1};
  char32_t c = lead.payload;
  for (int k = 1; k < lead.length; ++k) {
    if (i + k >= bytes.size()) return {0, 0, "unexpected end of data", k};
    const auto b = static_cast<unsigned char>(bytes[i + k]);
    const unsigned char lo = k == 1 ? lead.second_min : 0x80;
    const unsigned char hi = k == 1 ? lead.second_max : 0xBF;
    if (b < lo || b > hi) return {0, 0, "invalid continuation byte", k};
    c = (c << 6) | (b & 0x3F);
  }
  return {c, lead.length};
}

// The strict loop behind validation and decoding: hands each code point to `emit` and
// stops at the first malformed sequence, which it returns.
template <typename Emit>
std::optional<InvalidUtf8> decode(std::string_view bytes, Emit emit) {
  for (size_t i = 0; i < bytes.size();) {
    const Decoded d = decode_one(bytes, i);
    if (d.length == 0) return invalid_at(bytes, i, d.error);
    emit(d.code_point);
    i += size_t(d.length);
  }
  return std::nullopt;
}

}  // namespace

std::optional<InvalidUtf8> find_invalid_utf8(std::string_view bytes) {
  return decode(bytes, [](char32_t) {});
}

std::u32string decode_utf8(std::string_view bytes) {
  std::u32string out;
  out.reserve(bytes.size());
  if (auto invalid = decode(bytes, [&](char32_t c) { out.push_back(c); }))
    throw Utf8Error(std::move(*invalid));
  return out;
}

char32_t next_code_point(std::string_view bytes, size_t& pos) {
  assert(pos < bytes.size());
  const Decoded d = decode_one(bytes, pos);
  if (d.length == 0) {
    pos += size_t(d.ill_formed_length);
    return kReplacementCharacter;
  }
  pos += size_t(d.length);
  return d.code_point;
}

std::string replace_invalid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + 8);
  for (size_t pos = 0; pos < bytes.size();) append_utf8(out, next_code_point(bytes, pos));
  return out;
}

void append_utf8(std::string& out, char32_t c) {
  assert(c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF));
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) append_utf8(out, c);
  return out;
}

}  // namespace tfm::text
