#pragma once
// Runs the `tfm` binary as a child process with its output in a log file, for tests of what
// only separate processes can show: locks between runs, kill -9, resource limits.
// (support/process.h talks to a child through pipes instead.)
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/files.h"

namespace tfm::testing {

struct ChildLimits {
  std::optional<rlim_t> max_file_bytes;  // RLIMIT_FSIZE: writes past it fail with EFBIG
  std::optional<uid_t> user;             // run as this user (only root can)
};

class TfmProcess {
 public:
  // Starts the tfm binary with `args`; its stdout and stderr both go to `log`.
  TfmProcess(const std::vector<std::string>& args, const std::filesystem::path& log, ChildLimits limits = {})
      : log_(log) {
    std::vector<std::string> all = {TFM_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and exec.
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) ::_exit(126);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      if (limits.max_file_bytes) {
        // Ignored, SIGXFSZ would not kill the child; write() then fails with EFBIG.
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{*limits.max_file_bytes, *limits.max_file_bytes};
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(126);
      }
      if (limits.user && (::setgid(*limits.user) != 0 || ::setuid(*limits.user) != 0)) ::_exit(126);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  TfmProcess(const TfmProcess&) = delete;
  TfmProcess& operator=(const TfmProcess&) = delete;
  ~TfmProcess() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  pid_t pid() const { return pid_; }

  // Whether it has ended (without waiting).
  bool ended() {
    if (status_) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
    return status_.has_value();
  }

  void kill() { ::kill(pid_, SIGKILL); }

  // Waits for the end; the exit code, or 128 + the signal that ended it.
  int wait() {
    if (!status_) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
      status_ = status;
    }
    return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : 128 + WTERMSIG(*status_);
  }

  std::string output() const { return read_bytes(log_); }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

struct ChildResult {
  int exit_code;
  std::string output;
};

// Runs tfm with `args` to its end.
inline ChildResult run_tfm(const std::vector<std::string>& args, const std::filesystem::path& log,
                           ChildLimits limits = {}) {
  TfmProcess child(args, log, limits);
  const int code = child.wait();
  return {code, child.output()};
}

}  // namespace tfm::testing
