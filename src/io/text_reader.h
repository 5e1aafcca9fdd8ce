#pragma once
// Reading text as it comes, plain or gzip (recognised by its magic bytes, whatever the name),
// from a file or standard input: in chunks of bytes, or line by line, so that a file of any
// length is read in constant memory.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tfm::io {

// The path that means standard input to the readers and the commands.
inline constexpr std::string_view kStandardInput = "-";

// Decompressed bytes in chunks of up to 1 MiB. Errors name the file: it cannot be opened or
// read, or its gzip stream is damaged or cut short.
class ChunkReader {
 public:
  explicit ChunkReader(std::string path);  // kStandardInput: standard input
  ~ChunkReader();
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // The next chunk, valid until the next call; empty at the end of the input.
  std::string_view read();
  // "standard input" or the path, for messages.
  const std::string& name() const { return name_; }
  // How far through the input the reader is, from 0 to 1, counted in bytes of the file as
  // stored (compressed or not); nothing when the input's size is unknown (a pipe).
  std::optional<double> fraction_read() const;

 private:
  struct Stream;
  std::unique_ptr<Stream> stream_;
  std::string name_;
  std::optional<uint64_t> size_;
};

// Lines split on '\n', with a trailing '\r' removed; a final line without '\n' counts, an
// empty input has none. Lines are returned as bytes: whether they are UTF-8 is the caller's
// policy (read_lines refuses invalid UTF-8, translation input replaces it).
class LineReader {
 public:
  explicit LineReader(std::string path) : chunks_(std::move(path)) {}

  // Stores the next line in `line`; false at the end of the input.
  bool next(std::string& line);
  // Lines returned so far: the number of the last one, counted from 1.
  int64_t line_number() const { return line_number_; }
  const std::string& name() const { return chunks_.name(); }
  // How far through the input the lines returned so far reach, from 0 to 1 (for gzip, in
  // proportion to the bytes they take of what has been inflated); nothing when the input's
  // size is unknown.
  std::optional<double> fraction_read() const;

 private:
  ChunkReader chunks_;
  std::string_view pending_;  // the part of the current chunk not yet returned
  bool at_end_ = false;
  int64_t line_number_ = 0;
  uint64_t bytes_read_ = 0;      // of text, from the chunk reader
  uint64_t bytes_returned_ = 0;  // of text, in lines returned (with their line ends)
};

}  // namespace tfm::io
