#include "text/segments.h"

#include <iterator>
#include <stdexcept>

#include "io/corpus.h"
#include "text/unicode.h"
#include "text/utf8.h"

namespace tfm::text {

Segments split_segments(std::string_view bytes, std::string source) {
  Segments segments{std::move(source), {}};
  size_t start = 0;
  while (start < bytes.size()) {
    size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    std::u32string line;
    try {
      line = decode_utf8(bytes.substr(start, end - start));
    } catch (const Utf8Error& e) {
      throw std::runtime_error(segments.source + ": line " + std::to_string(segments.lines.size() + 1) +
                               ", byte " + std::to_string(e.byte_offset() + 1) + ": invalid UTF-8 (" + e.detail() +
                               ")");
    }
    segments.lines.push_back(encode_utf8(rstrip_whitespace(line)));
    start = end + 1;
  }
  return segments;
}

Segments read_segments_file(const std::string& path) { return split_segments(io::read_text(path), path); }

Segments read_segments_stream(std::istream& in, std::string source) {
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw std::runtime_error("cannot read " + source);
  return split_segments(bytes, std::move(source));
}

}  // namespace tfm::text
