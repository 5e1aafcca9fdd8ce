#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

namespace tfm::io {
namespace {

constexpr std::size_t kBufferBytes = std::size_t{1} << 20;
constexpr std::string_view kTempSuffix = ".tmp-";

std::string errno_text() { return std::strerror(errno); }

}  // namespace

bool is_atomic_file_temporary(const std::filesystem::path& path) {
  return path.filename().string().find(kTempSuffix) != std::string::npos;
}

void sync_directory(const std::filesystem::path& dir) {
  const std::string name = dir.empty() ? "." : dir.string();
  const int fd = ::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open directory " + name + ": " + errno_text());
  const bool synced = ::fsync(fd) == 0;
  const std::string error = synced ? "" : errno_text();
  ::close(fd);
  if (!synced) throw std::runtime_error("cannot sync directory " + name + ": " + error);
}

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)) {
  temp_path_ = path_;
  temp_path_ += std::string(kTempSuffix) + std::to_string(::getpid());
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd_ < 0)
    throw std::runtime_error("cannot write " + path_.string() + ": cannot create " +
                             temp_path_.string() + ": " + errno_text());
  buffer_.reserve(kBufferBytes);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_path_.c_str());
  }
}

void AtomicFile::write(const void* data, std::size_t size) {
  assert(fd_ >= 0 && "write after commit");
  const char* bytes = static_cast<const char*>(data);
  if (buffer_.size() + size <= kBufferBytes) {
    buffer_.insert(buffer_.end(), bytes, bytes + size);
    return;
  }
  flush_buffer();
  write_to_fd(bytes, size);  // large blocks (tensor data) skip the copy
}

void AtomicFile::commit() {
  assert(fd_ >= 0 && "commit twice");
  flush_buffer();
  if (::fsync(fd_) != 0) fail("cannot sync " + temp_path_.string() + ": " + errno_text());
  if (::close(std::exchange(fd_, -1)) != 0)
    fail("closing " + temp_path_.string() + ": " + errno_text());
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0)
    fail("renaming " + temp_path_.string() + " over it: " + errno_text());
  sync_directory(path_.parent_path());
}

void AtomicFile::flush_buffer() {
  write_to_fd(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void AtomicFile::write_to_fd(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("writing " + temp_path_.string() + ": " + errno_text());
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void AtomicFile::fail(const std::string& what) {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  ::unlink(temp_path_.c_str());
  throw std::runtime_error("cannot write " + path_.string() + ": " + what);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  AtomicFile file(path);
  file.write(contents);
  file.commit();
}

}  // namespace tfm::io
