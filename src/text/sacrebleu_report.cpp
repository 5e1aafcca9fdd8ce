#include "text/sacrebleu_report.h"

#include <cassert>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

namespace tfm::text {
namespace {

// Python's f"{value:.{width}f}"; printf rounds the exact binary value the same way.
std::string fixed(double value, int width) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", width, value);
  return buffer;
}

std::string json_string(const std::string& text) { return nlohmann::json(text).dump(); }

}  // namespace

std::string Signature::str() const {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) out += '|';
    out += key + ':' + value;
  }
  return out;
}

std::string format_score_only(const MetricReport& report, int width) { return fixed(report.score, width); }

std::string format_score_line(const MetricReport& report, int width, bool with_signature) {
  std::string line = report.name;
  if (with_signature) line += '|' + report.signature.str();
  line += " = " + fixed(report.score, width);
  if (!report.verbose.empty()) line += ' ' + report.verbose;
  return line;
}

std::string format_score_json(const MetricReport& report, int width) {
  // sacreBLEU stores float(f"{score:.{width}f}") and json.dumps writes its repr().
  const double rounded = std::strtod(fixed(report.score, width).c_str(), nullptr);
  std::string out = "{\n";
  out += " \"name\": " + json_string(report.name) + ",\n";
  out += " \"score\": " + python_float_repr(rounded) + ",\n";
  out += " \"signature\": " + json_string(report.signature.str());
  if (!report.verbose.empty()) out += ",\n \"verbose_score\": " + json_string(report.verbose);
  for (const auto& [key, value] : report.signature.fields) {
    out += ",\n " + json_string(key) + ": " + json_string(value);
  }
  out += "\n}";
  return out;
}

std::string python_float_repr(double value) {
  // Shortest round-trip digits, then Python's layout: positional for decimal exponents
  // -4..15, scientific otherwise.
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  assert(result.ec == std::errc());
  const std::string_view text(buffer, result.ptr - buffer);  // "-3.51e+01"
  const size_t e = text.find('e');
  const bool negative = text[0] == '-';
  std::string digits;
  for (char c : text.substr(negative ? 1 : 0, e - (negative ? 1 : 0))) {
    if (c != '.') digits += c;
  }
  const int exponent = std::atoi(std::string(text.substr(e + 1)).c_str());

  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0." + std::string(-exponent - 1, '0') + digits;
    } else if (static_cast<int>(digits.size()) <= exponent + 1) {
      out += digits + std::string(exponent + 1 - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, exponent + 1) + '.' + digits.substr(exponent + 1);
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += '.' + digits.substr(1);
  char exponent_text[16];
  std::snprintf(exponent_text, sizeof exponent_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return out + exponent_text;
}

}  // namespace tfm::text
