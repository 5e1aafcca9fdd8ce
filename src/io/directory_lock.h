#pragma once
// An exclusive claim on a directory by one process: `DIR/lock`, held with flock(2). The
// kernel drops the lock when the process ends in any way (exit, crash, kill -9), so a
// crashed run never leaves the directory claimed; the file itself stays and is reused. It
// holds the owner's process id, for the message another process gets.
#include <filesystem>

namespace tfm::io {

class DirectoryLock {
 public:
  // Claims `dir` (which must exist) or throws std::runtime_error saying who holds it.
  explicit DirectoryLock(const std::filesystem::path& dir);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

  static std::filesystem::path lock_file(const std::filesystem::path& dir) { return dir / "lock"; }

 private:
  int fd_ = -1;
};

}  // namespace tfm::io
