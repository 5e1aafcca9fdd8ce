#include "io/progress_line.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <iostream>

namespace tfm::io {

ProgressLine::ProgressLine(std::ostream& out, bool shown)
    : out_(out), shown_(shown), live_(shown && &out == &std::cerr && isatty(STDERR_FILENO)) {}

void ProgressLine::show(const std::string& text, bool milestone) {
  if (!shown_) return;
  if (live_) {
    out_ << "\r" << text << "\033[K" << (milestone ? "\n" : "") << std::flush;
  } else if (milestone) {
    out_ << text << std::endl;
  }
}

void ProgressLine::message(const std::string& text) {
  if (!shown_) return;
  if (live_) out_ << "\r\033[K";
  out_ << text << std::endl;
}

std::string format_duration(double seconds) {
  const int64_t s = int64_t(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

}  // namespace tfm::io
