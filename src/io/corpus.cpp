#include "io/corpus.h"

#include <zlib.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "text/utf8.h"

namespace tfm::io {

namespace {

constexpr unsigned kReadChunkBytes = 1u << 20;

std::runtime_error read_error(const std::string& path, const std::string& what) {
  return std::runtime_error("cannot read '" + path + "': " + what);
}

// zlib's gz* functions check the first bytes for the gzip magic (1f 8b) and read any
// other file through unchanged, so one path serves plain and compressed text.
using GzFile = std::unique_ptr<gzFile_s, decltype(&gzclose)>;

GzFile open_text(const std::string& path) {
  errno = 0;
  GzFile file(gzopen(path.c_str(), "rb"), &gzclose);
  if (!file) throw read_error(path, errno != 0 ? std::strerror(errno) : "out of memory");
  gzbuffer(file.get(), kReadChunkBytes);
  return file;
}

std::string gz_error_message(gzFile file) {
  int code = Z_OK;
  const char* message = gzerror(file, &code);
  return code == Z_ERRNO ? std::strerror(errno) : message;
}

// Hands every chunk of the (decompressed) file to `consume`, in order; throws naming the
// file when it cannot be read or its gzip stream is damaged or cut short.
template <typename Consume>
void read_chunks(const std::string& path, Consume consume) {
  GzFile file = open_text(path);
  std::unique_ptr<char[]> buffer(new char[kReadChunkBytes]);
  for (;;) {
    const int n = gzread(file.get(), buffer.get(), kReadChunkBytes);
    if (n < 0) throw read_error(path, gz_error_message(file.get()));
    if (n == 0) break;
    consume(std::string_view(buffer.get(), static_cast<size_t>(n)));
  }
  // At end of input, Z_BUF_ERROR means the gzip stream stopped in the middle.
  int code = Z_OK;
  gzerror(file.get(), &code);
  if (code == Z_BUF_ERROR) throw read_error(path, "truncated gzip stream");
}

// Collects complete lines, validating each as it is stored.
class LineSink {
 public:
  explicit LineSink(const std::string& path) : path_(path) {}

  void add(std::string_view line) {
    ++line_number_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (const auto invalid = text::find_invalid_utf8(line))
      throw std::runtime_error(path_ + ":" + std::to_string(line_number_) +
                               ": invalid UTF-8 at byte " +
                               std::to_string(invalid->byte_offset + 1));
    lines_.emplace_back(line);  // exact-size allocation, which matters for millions of lines
  }

  std::vector<std::string> take() { return std::move(lines_); }

 private:
  const std::string& path_;
  int64_t line_number_ = 0;
  std::vector<std::string> lines_;
};

}  // namespace

std::string read_text(const std::string& path) {
  std::string bytes;
  read_chunks(path, [&](std::string_view chunk) { bytes.append(chunk); });
  return bytes;
}

std::vector<std::string> read_lines(const std::string& path) {
  LineSink sink(path);
  std::string partial;  // the start of a line that continues into the next chunk
  read_chunks(path, [&](std::string_view chunk) {
    size_t start = 0;
    for (size_t end; (end = chunk.find('\n', start)) != std::string_view::npos; start = end + 1) {
      if (partial.empty()) {
        sink.add(chunk.substr(start, end - start));
      } else {
        partial.append(chunk.substr(start, end - start));
        sink.add(partial);
        partial.clear();
      }
    }
    partial.append(chunk.substr(start));
  });
  if (!partial.empty()) sink.add(partial);
  return sink.take();
}

ParallelCorpus read_parallel_corpus(const std::string& source_path,
                                    const std::string& target_path) {
  ParallelCorpus corpus{read_lines(source_path), read_lines(target_path)};
  if (corpus.source.size() != corpus.target.size())
    throw std::runtime_error("parallel corpus sides differ in length: '" + source_path +
                             "' has " + std::to_string(corpus.source.size()) + " lines, '" +
                             target_path + "' has " + std::to_string(corpus.target.size()) +
                             " lines");
  return corpus;
}

}  // namespace tfm::io
