#include "io/directory_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace tfm::io {
namespace {

// The process id the holder wrote, or "" when it has not written it yet.
std::string holder_of(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? size_t(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

}  // namespace

DirectoryLock::DirectoryLock(const std::filesystem::path& dir) {
  const std::filesystem::path path = lock_file(dir);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd_ < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string holder = error == EWOULDBLOCK ? holder_of(fd_) : "";
    ::close(fd_);
    if (error != EWOULDBLOCK) throw std::runtime_error("cannot lock " + path.string() + ": " + std::strerror(error));
    throw std::runtime_error(dir.string() + " is in use by another tfm process" +
                             (holder.empty() ? "" : " (pid " + holder + ")") + ", which holds " + path.string() +
                             "; wait for it to finish or use another --model directory");
  }
  // Best effort: the id only improves the message another process gets.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != ssize_t(pid.size())) {
    // A full disk must not stop a run that holds the lock; the message just lacks the id.
  }
}

DirectoryLock::~DirectoryLock() { ::close(fd_); }  // closing releases the lock

}  // namespace tfm::io
