#include "text/segments.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <memory>
#include <stdexcept>

#include "text/unicode.h"
#include "text/utf8.h"

namespace tfm::text {
namespace {

std::string read_maybe_gzipped(const std::string& path) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  std::string bytes;
  char buffer[1 << 16];
  for (;;) {
    const int n = gzread(file.get(), buffer, sizeof buffer);
    if (n < 0) {
      int code = 0;
      throw std::runtime_error("cannot read " + path + ": " + gzerror(file.get(), &code));
    }
    if (n == 0) break;
    bytes.append(buffer, n);
  }
  return bytes;
}

}  // namespace

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

Segments read_segments_file(const std::string& path) { return split_segments(read_maybe_gzipped(path), path); }

Segments read_segments_stream(std::istream& in, std::string source) {
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw std::runtime_error("cannot read " + source);
  return split_segments(bytes, std::move(source));
}

}  // namespace tfm::text
