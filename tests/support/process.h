#pragma once
// Running the tfm binary from a test as a user would, with pipes on its standard streams
// (support/tfm_process.h runs it with its output in a file, under resource limits).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace tfm::testing {

// A child process whose standard input, output and error are pipes to this one.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& args) {
    signal(SIGPIPE, SIG_IGN);  // a child that exits early must not kill the test writing to it
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      dup2(in[0], STDIN_FILENO);
      dup2(out[1], STDOUT_FILENO);
      dup2(err[1], STDERR_FILENO);
      std::vector<char*> argv;
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    stderr_ = err[0];
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    for (int fd : {stdin_, stdout_, stderr_})
      if (fd >= 0) close(fd);
  }

  void write_input(const std::string& bytes) {
    for (size_t done = 0; done < bytes.size();) {
      const ssize_t n = ::write(stdin_, bytes.data() + done, bytes.size() - done);
      if (n <= 0) throw std::runtime_error("cannot write to the child's standard input");
      done += size_t(n);
    }
  }
  void close_input() {
    close(stdin_);
    stdin_ = -1;
  }

  // Reads standard output until it holds `lines` newlines or `timeout` passes (standard
  // error is drained meanwhile, so the child never blocks on it). Returns what was read.
  std::string read_lines(size_t lines, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (count_newlines(output_) < lines && std::chrono::steady_clock::now() < deadline)
      if (!pump(100)) break;
    return output_;
  }

  // Closes the input, reads everything to the end and returns the exit status (-1: killed).
  int wait() {
    if (stdin_ >= 0) close_input();
    while (pump(-1)) {
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  void kill_now() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  const std::string& output() const { return output_; }
  const std::string& errors() const { return errors_; }

 private:
  static size_t count_newlines(const std::string& s) {
    size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
  }

  // One poll over both output pipes; false once both are closed.
  bool pump(int timeout_ms) {
    pollfd fds[2] = {{stdout_, POLLIN, 0}, {stderr_, POLLIN, 0}};
    if (stdout_ < 0 && stderr_ < 0) return false;
    if (poll(fds, 2, timeout_ms) < 0) return false;
    char buffer[65536];
    int* ends[2] = {&stdout_, &stderr_};
    std::string* sinks[2] = {&output_, &errors_};
    for (int i = 0; i < 2; ++i) {
      if (*ends[i] < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(*ends[i], buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, size_t(n));
      } else {
        close(*ends[i]);
        *ends[i] = -1;
      }
    }
    return stdout_ >= 0 || stderr_ >= 0;
  }

  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1, stderr_ = -1;
  std::string output_, errors_;
};

// Runs `args` to the end with `input` (small: it is written before the output is read) on
// standard input.
struct Finished {
  int exit_code;
  std::string output, errors;
};

inline Finished run_process(const std::vector<std::string>& args, const std::string& input = "") {
  ChildProcess child(args);
  child.write_input(input);
  const int code = child.wait();
  return {code, child.output(), child.errors()};
}

}  // namespace tfm::testing
