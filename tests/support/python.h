#pragma once
// Running Python scripts from tests. Scripts that need PyTorch run with $TFM_PYTHON (default
// python3); where that interpreter cannot import torch, the tests that need it skip, all with
// the same message.
#include <stdio.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace tfm::testing {

// The arguments as one shell command line, each in single quotes.
inline std::string shell_command(const std::vector<std::string>& args) {
  std::string command;
  for (const std::string& arg : args) {
    if (!command.empty()) command += ' ';
    command += '\'';
    for (char c : arg) command += c == '\'' ? std::string("'\\''") : std::string(1, c);
    command += '\'';
  }
  return command;
}

struct CommandResult {
  int exit_code;       // -1 when the command did not exit normally
  std::string output;  // stdout and stderr, interleaved
};

inline CommandResult run_command(const std::vector<std::string>& args) {
  const std::string command = shell_command(args) + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {-1, "cannot start: " + command};
  CommandResult result{-1, ""};
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) result.output.append(buffer, n);
  const int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

struct TorchPython {
  std::string interpreter;
  bool has_torch;
  std::string skip_message() const {
    return interpreter + " cannot import torch; set TFM_PYTHON to a Python with PyTorch " +
           "(scripts/install-deps.sh --with-torch installs one)";
  }
};

// Looked up once per test program: importing torch takes a second or two.
inline const TorchPython& torch_python() {
  static const TorchPython python = [] {
    const char* env = std::getenv("TFM_PYTHON");
    const std::string interpreter = env ? env : "python3";
    const bool has_torch = run_command({interpreter, "-c", "import torch"}).exit_code == 0;
    return TorchPython{interpreter, has_torch};
  }();
  return python;
}

}  // namespace tfm::testing
