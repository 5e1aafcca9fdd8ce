#pragma once
// `tfm translate` and `tfm score` over inputs of any length: a window of lines is read,
// sorted by length into batches (inside decode::Translator and decode::score_pairs),
// processed, and its results written in input order and flushed before the next window is
// read. Memory stays that of one window, a pipe downstream sees results early, and a run
// that is interrupted loses at most the window in flight: what it printed is whole lines.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <ostream>

#include "decode/translator.h"
#include "io/text_reader.h"

namespace tfm::app {

// What to do with input lines that are not UTF-8.
enum class InvalidUtf8Policy {
  replace,  // each ill-formed sequence becomes U+FFFD, with a warning naming the line
  error,    // stop with an error naming the file, line and byte
};

struct StreamOptions {
  int maxi_batch = 100;  // batches per window: window = maxi_batch * batch size lines
  InvalidUtf8Policy invalid_utf8 = InvalidUtf8Policy::replace;
  bool progress = true;  // a progress line (on a terminal) or periodic log lines, and a summary
};

struct StreamSummary {
  int64_t lines = 0;
  int64_t target_pieces = 0;     // of the best translations (translate) or the targets (score)
  int64_t replaced_utf8_lines = 0;
  int64_t truncated_lines = 0;   // translate: inputs cut to the model's length
  double seconds = 0;
};

// Translates every line of `input`, writing one line per input line to `output` (n-best:
// "index ||| translation ||| score" lines, as Marian and Moses). Progress and warnings go to
// `log`.
StreamSummary translate_stream(const decode::Translator& translator, io::LineReader& input, std::FILE* output,
                               const decode::TranslateOptions& options, const StreamOptions& stream,
                               std::ostream& log);

// log P(target | source) of each line pair, one "%.6f" line per pair. Both sides must have
// the same number of lines and fit the model's positions; errors name the files and line.
StreamSummary score_stream(nn::Transformer& model, const text::Tokenizer& tokenizer, io::LineReader& sources,
                           io::LineReader& targets, std::FILE* output, int batch_size, const StreamOptions& stream,
                           std::ostream& log);

}  // namespace tfm::app
