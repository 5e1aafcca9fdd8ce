#pragma once
// Writes a file so that a reader, or the next run after a crash, sees either the old contents
// or the complete new ones, never a mix. The bytes go to "<path>.tmp-<pid>" in the same
// directory (so the rename stays within one filesystem and is atomic); commit() flushes and
// fsyncs it, renames it over `path` and fsyncs the directory so that the rename itself is
// durable. An AtomicFile destroyed without a successful commit() removes its temporary file
// and leaves `path` as it was, so a writer that throws half-way does no harm.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tfm::io {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path path);  // throws std::runtime_error naming the file
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t size);
  void write(std::string_view text) { write(text.data(), text.size()); }
  void commit();

  const std::filesystem::path& temp_path() const { return temp_path_; }

 private:
  void flush_buffer();
  void write_to_fd(const char* data, std::size_t size);
  [[noreturn]] void fail(const std::string& what);  // discards the temporary file, then throws

  std::filesystem::path path_;
  std::filesystem::path temp_path_;
  int fd_ = -1;
  std::vector<char> buffer_;  // small writes (headers, JSON) are gathered into few syscalls
};

// Whether `path` names an AtomicFile's temporary file: where no writer is running, one that
// a killed process left behind.
bool is_atomic_file_temporary(const std::filesystem::path& path);

// fsync of a directory makes renames and removals in it durable; "" means the current directory.
void sync_directory(const std::filesystem::path& dir);

// The whole file at once, for small files such as config.json.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

}  // namespace tfm::io
