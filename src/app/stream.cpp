#include "app/stream.h"

#include <malloc.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "decode/scorer.h"
#include "io/progress_line.h"
#include "text/utf8.h"

namespace tfm::app {

namespace {

using Clock = std::chrono::steady_clock;

// Warnings of one kind are printed for the first few lines only: a binary file would
// otherwise bury the terminal. The summary counts them all.
constexpr int64_t kWarningsShownPerKind = 10;

// Non-terminal progress: a log line this often.
constexpr double kLogIntervalSeconds = 10;

// Progress, warnings and the closing summary of one streamed run, on standard error.
class RunReport {
 public:
  RunReport(std::string command, std::ostream& log, bool progress)
      : command_(std::move(command)), line_(log), progress_(progress) {}

  void warn(long long& count, const std::string& text) {
    ++count;
    if (count <= kWarningsShownPerKind) line_.message(command_ + ": warning: " + text);
    if (count == kWarningsShownPerKind + 1)
      line_.message(command_ + ": warning: further warnings of this kind are only counted in the summary");
  }

  // After each batch: a live line at most once a second, a log line every 10 s. `s` holds
  // the lines and pieces done so far, written or not.
  void batch_done(const StreamSummary& s, std::optional<double> fraction) {
    if (!progress_) return;
    const auto now = Clock::now();
    const double since_shown = std::chrono::duration<double>(now - last_shown_).count();
    if (since_shown < (line_.live() ? 1.0 : kLogIntervalSeconds)) return;
    last_shown_ = now;
    const double seconds = elapsed();
    std::string text = command_ + ": " + figures(s, seconds) + " [" + io::format_duration(seconds);
    if (fraction && *fraction > 0)
      text += ", ETA " + io::format_duration(seconds * (1 - *fraction) / *fraction);
    line_.show(text + "]", !line_.live());
  }

  void finish(StreamSummary& s) {
    s.seconds = elapsed();
    if (!progress_) return;
    std::string text = command_ + ": " + figures(s, s.seconds) + " in " + io::format_duration(s.seconds);
    if (s.replaced_utf8_lines > 0)
      text += "; " + std::to_string(s.replaced_utf8_lines) + " lines with invalid UTF-8 (replaced by U+FFFD)";
    if (s.truncated_lines > 0) text += "; " + std::to_string(s.truncated_lines) + " lines truncated";
    line_.message(text);
  }

 private:
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  static std::string figures(const StreamSummary& s, double seconds) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(1) << s.lines << " lines, " << double(s.lines) / std::max(seconds, 1e-9)
         << " lines/s, " << std::setprecision(0) << double(s.target_pieces) / std::max(seconds, 1e-9)
         << " target pieces/s";
    return text.str();
  }

  std::string command_;
  io::ProgressLine line_;
  bool progress_;
  Clock::time_point start_ = Clock::now(), last_shown_ = Clock::now();
};

// The next line of `input` as valid UTF-8, by `policy`; false at the end of the input.
bool next_text_line(io::LineReader& input, std::string& line, InvalidUtf8Policy policy, RunReport& report,
                    StreamSummary& summary) {
  if (!input.next(line)) return false;
  if (const auto invalid = text::find_invalid_utf8(line)) {
    const std::string where = input.name() + ":" + std::to_string(input.line_number()) + ": invalid UTF-8 at byte " +
                              std::to_string(invalid->byte_offset + 1) + " (" + invalid->detail + ")";
    if (policy == InvalidUtf8Policy::error) throw std::runtime_error(where);
    line = text::replace_invalid_utf8(line);
    report.warn(summary.replaced_utf8_lines, where + "; replaced by U+FFFD");
  }
  return true;
}

// How far through the input the run is, by lines done of the lines the input holds, the
// latter estimated from the bytes read (the reader runs a window ahead of the work).
std::optional<double> fraction_done(const io::LineReader& input, int64_t lines_done) {
  const std::optional<double> read = input.fraction_read();
  if (!read || input.line_number() == 0) return std::nullopt;
  return *read * double(lines_done) / double(input.line_number());
}

void write_all(std::FILE* output, const std::string& bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), output) != bytes.size() || std::fflush(output) != 0)
    throw std::runtime_error(std::string("cannot write the output: ") + std::strerror(errno));
}

// After each window: give the heap's free pages back to the system. Windows of different
// shapes free and allocate blocks of different sizes, the heap fragments, and its free pages
// stay resident; without this a million-line run's peak memory crept 11% above a
// 10,000-line run's (bench/README.md).
void release_free_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

size_t window_lines(int batch_size, const StreamOptions& stream) {
  return size_t(std::max(1, batch_size)) * size_t(std::max(1, stream.maxi_batch));
}

}  // namespace

StreamSummary translate_stream(const decode::Translator& translator, io::LineReader& input, std::FILE* output,
                               const decode::TranslateOptions& options, const StreamOptions& stream,
                               std::ostream& log) {
  RunReport report("tfm translate", log, stream.progress);
  StreamSummary summary;
  const size_t window = window_lines(options.batch_size, stream);
  const bool n_best = options.search.n_best > 1;
  std::vector<std::string> lines;
  for (bool more = true; more;) {
    lines.clear();
    std::string line;
    while (lines.size() < window && (more = next_text_line(input, line, stream.invalid_utf8, report, summary)))
      lines.push_back(std::move(line));
    if (lines.empty()) break;

    const int64_t first = summary.lines;  // input index of lines[0]
    StreamSummary in_window = summary;     // for progress: batches done, not yet written
    decode::Translator::Observer observer;
    observer.truncated = [&](size_t i, size_t pieces, size_t kept) {
      report.warn(summary.truncated_lines, input.name() + ":" + std::to_string(first + int64_t(i) + 1) + ": " +
                                               std::to_string(pieces) + " pieces, truncated to " + std::to_string(kept));
    };
    observer.batch_done = [&](size_t sentences, size_t target_pieces) {
      in_window.lines += int64_t(sentences);
      in_window.target_pieces += int64_t(target_pieces);
      report.batch_done(in_window, fraction_done(input, in_window.lines));
    };
    const auto results = translator.translate(lines, options, observer);
    std::ostringstream text;
    for (size_t i = 0; i < results.size(); ++i) {
      summary.target_pieces += int64_t(results[i].front().tokens.size());
      if (!n_best) {
        text << results[i].front().text << '\n';
        continue;
      }
      for (const auto& h : results[i]) text << first + int64_t(i) << " ||| " << h.text << " ||| " << h.score << '\n';
    }
    write_all(output, text.str());
    summary.lines += int64_t(lines.size());
    release_free_memory();
  }
  report.finish(summary);
  return summary;
}

StreamSummary score_stream(nn::Transformer& model, const text::Tokenizer& tokenizer, io::LineReader& sources,
                           io::LineReader& targets, std::FILE* output, int batch_size, const StreamOptions& stream,
                           std::ostream& log) {
  RunReport report("tfm score", log, stream.progress);
  StreamSummary summary;
  const size_t window = window_lines(batch_size, stream);
  // Source and target ids = pieces (make_batch adds EOS); the positions table bounds both.
  const size_t max_pieces = size_t(model.config().max_positions - 1);
  std::vector<std::vector<int32_t>> source_ids, target_ids;
  std::string source, target;
  for (bool more = true; more;) {
    source_ids.clear();
    target_ids.clear();
    while (source_ids.size() < window) {
      const bool has_source = next_text_line(sources, source, stream.invalid_utf8, report, summary);
      const bool has_target = next_text_line(targets, target, stream.invalid_utf8, report, summary);
      if (has_source != has_target) {
        io::LineReader& longer = has_source ? sources : targets;
        const int64_t shorter_lines = summary.lines + int64_t(source_ids.size());
        while (longer.next(source)) {
        }
        throw std::runtime_error("parallel input sides differ in length: '" + sources.name() + "' has " +
                                 std::to_string(has_source ? longer.line_number() : shorter_lines) + " lines, '" +
                                 targets.name() + "' has " +
                                 std::to_string(has_target ? longer.line_number() : shorter_lines) + " lines");
      }
      if (!(more = has_source)) break;
      const std::vector<int> s = tokenizer.encode(source), t = tokenizer.encode(target);
      if (s.size() > max_pieces || t.size() > max_pieces)
        throw std::runtime_error("line " + std::to_string(sources.line_number()) + " of '" + sources.name() + "' / '" +
                                 targets.name() + "' is longer than the model's " + std::to_string(max_pieces) +
                                 " pieces");
      source_ids.emplace_back(s.begin(), s.end());
      target_ids.emplace_back(t.begin(), t.end());
      summary.target_pieces += int64_t(t.size());
    }
    if (source_ids.empty()) break;
    std::string text;
    char number[64];
    for (double score : decode::score_pairs(model, source_ids, target_ids, batch_size)) {
      std::snprintf(number, sizeof number, "%.6f\n", score);
      text += number;
    }
    write_all(output, text);
    summary.lines += int64_t(source_ids.size());
    release_free_memory();
    report.batch_done(summary, fraction_done(sources, summary.lines));
  }
  report.finish(summary);
  return summary;
}

}  // namespace tfm::app
