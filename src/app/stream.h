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
#include "tfm/translator.h"

namespace tfm::app {

// The options and figures of a streamed run are the public API's (include/tfm/translator.h).
using tfm::InvalidUtf8Policy;
using tfm::StreamOptions;
using tfm::StreamSummary;

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
