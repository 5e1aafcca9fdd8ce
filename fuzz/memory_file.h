#pragma once
// The loaders under test read files by path. A memory file gives each fuzz input a path
// without touching the disk: an anonymous file (memfd_create) reached as /proc/self/fd/N.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace tfm::fuzz {

class MemoryFile {
 public:
  MemoryFile() : fd_(::memfd_create("tfm-fuzz-input", MFD_CLOEXEC)) {
    if (fd_ < 0) std::abort();  // nothing to fuzz without it
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  // Replaces the contents with `size` bytes of `data`; returns the path to read them at.
  const std::string& hold(const uint8_t* data, size_t size) {
    if (::ftruncate(fd_, 0) != 0) std::abort();
    for (size_t done = 0; done < size;) {
      const ssize_t n = ::pwrite(fd_, data + done, size - done, off_t(done));
      if (n <= 0) std::abort();
      done += size_t(n);
    }
    return path_;
  }

 private:
  int fd_;
  std::string path_;
};

}  // namespace tfm::fuzz
