#pragma once
// Reading raw training text: one sentence per line, plain or gzip-compressed, strictly
// UTF-8. Errors name the file, and for bad text the line and byte.
#include <string>
#include <vector>

namespace tfm::io {

// The whole file as bytes, decompressed when it is gzip (recognised by its magic bytes,
// whatever its name). Throws std::runtime_error naming the file when it cannot be read or
// is a damaged gzip stream.
std::string read_text(const std::string& path);

// All lines of a text file, split on '\n' with a trailing '\r' removed; a final line
// without '\n' counts, an empty file has none. gzip files are recognised by their magic
// bytes, whatever their name. Throws std::runtime_error when the file cannot be read, is
// a damaged gzip stream, or holds invalid UTF-8 ("FILE:LINE: invalid UTF-8 at byte N",
// LINE and N counted from 1, N within the line).
std::vector<std::string> read_lines(const std::string& path);

// Sentence-aligned text: source[i] translates to target[i].
struct ParallelCorpus {
  std::vector<std::string> source;
  std::vector<std::string> target;
  size_t size() const { return source.size(); }
};

// Both sides of a parallel corpus; throws when they differ in line count.
ParallelCorpus read_parallel_corpus(const std::string& source_path,
                                    const std::string& target_path);

}  // namespace tfm::io
