#pragma once
// Progress of a long run on standard error, as people expect from a command-line tool: on a
// terminal one live line that rewrites itself, elsewhere (a log file, CI) plain lines.
#include <ostream>
#include <string>

namespace tfm::io {

class ProgressLine {
 public:
  // Live when `out` is std::cerr and standard error is a terminal. A line not `shown` says
  // nothing at all (the ranks of a distributed run other than the first).
  explicit ProgressLine(std::ostream& out, bool shown = true);

  // On a terminal the line is rewritten, and kept (followed by a newline) when `milestone`;
  // elsewhere only milestones are written, each as a line of its own.
  void show(const std::string& text, bool milestone);
  // A line of its own that is never overwritten (a warning, a summary).
  void message(const std::string& text);
  bool live() const { return live_; }

 private:
  std::ostream& out_;
  bool shown_;
  bool live_;
};

// "H:MM:SS", for elapsed times and ETAs.
std::string format_duration(double seconds);

}  // namespace tfm::io
