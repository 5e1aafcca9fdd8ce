#pragma once
// Hypothesis and reference files read the way sacreBLEU's command line reads them:
// UTF-8 (strictly: a malformed byte is an error), lines split on "\n" only (not on
// "\r", U+2028 or the other breaks that str.splitlines() knows), and each line
// right-stripped of whitespace in Python's sense (so "\r\n" ends work and trailing
// U+00A0 or \x1c disappear). A final line without "\n" still counts; an empty file has
// no lines.
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace tfm::text {

struct Segments {
  std::string source;              // file name, or "<stdin>": for error messages
  std::vector<std::string> lines;  // valid UTF-8, right-stripped
};

// Splits and checks already loaded bytes; errors name `source`, the line and the byte in
// that line (both 1-based).
Segments split_segments(std::string_view bytes, std::string source);
// Reads a plain or gzip-compressed file (zlib recognises gzip by content, not by name).
Segments read_segments_file(const std::string& path);
Segments read_segments_stream(std::istream& in, std::string source);

}  // namespace tfm::text
