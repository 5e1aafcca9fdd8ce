#pragma once
// Translating and scoring with a trained model directory (config.json, model.safetensors,
// spm.model), from a program: what `tfm translate` and `tfm score` do, batch by batch.
//
//   tfm::Translator translator("m30k");
//   for (const tfm::Translation& t : translator.translate({"A dog runs."}))
//     std::cout << t.hypotheses.front().text << "\n";
//
// A Translator may be shared between threads: its calls run one at a time, each using all
// the threads it was given. Errors are std::runtime_error (files, models) and
// std::invalid_argument (options, input) with messages that name what is wrong.
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tfm {

struct TranslationOptions {
  int beam_size = 4;              // 1: greedy
  double length_penalty = 0.6;    // alpha: a hypothesis of n pieces scores log P / ((5 + n) / 6)^alpha
  int n_best = 1;                 // hypotheses returned per sentence, best first (at most beam_size)
  double max_length_ratio = 1.5;  // a translation has at most ratio * source pieces + offset pieces
  int max_length_offset = 10;
  int min_length = 0;             // EOS may not end a translation shorter than this
  int batch_size = 64;            // sentences decoded together
  int max_input_tokens = 0;       // longer sources are truncated; 0: what the model allows
  bool return_attention = false;  // the encoder-decoder attention of each best translation
};

struct Hypothesis {
  std::string text;
  std::vector<std::string> pieces;  // SentencePiece pieces, without EOS
  double score = 0.0;               // log_prob divided by the length penalty
  double log_prob = 0.0;            // natural log of P(pieces, EOS | source)
};

// Where each decoder layer's heads looked in the source while writing a translation, from
// one teacher-forced pass over it (what `tfm attention` draws).
struct CrossAttention {
  int layers = 0;
  int heads = 0;
  std::vector<std::string> target_pieces;  // the translation's pieces, then "</s>": the rows
  std::vector<std::string> source_pieces;  // the source's pieces, then "</s>": the columns
  // weights[((layer * heads + head) * rows + row) * columns + column]; each row sums to 1.
  std::vector<float> weights;
};

// What to do with input lines that are not UTF-8 (translate_file, score_file).
enum class InvalidUtf8Policy {
  replace,  // each ill-formed sequence becomes U+FFFD, with a warning naming the line
  error,    // stop with an error naming the file, line and byte
};

// Reading a file of any length a window at a time (translate_file, score_file).
struct StreamOptions {
  int maxi_batch = 100;  // batches per window: window = maxi_batch * batch size lines
  InvalidUtf8Policy invalid_utf8 = InvalidUtf8Policy::replace;
  bool progress = true;  // on standard error: a live line on a terminal, else a log line every 10 s; a summary
};

struct StreamSummary {
  long long lines = 0;
  long long target_pieces = 0;        // of the best translations (translate) or the targets (score)
  long long replaced_utf8_lines = 0;
  long long truncated_lines = 0;      // translate: sources cut to the model's length
  double seconds = 0.0;
};

struct Translation {
  std::vector<Hypothesis> hypotheses;       // n_best of them, best first
  std::optional<CrossAttention> attention;  // of hypotheses[0], when asked for
};

class Translator {
 public:
  // threads: 0 uses every core.
  explicit Translator(const std::string& model_dir, int threads = 0);
  ~Translator();
  Translator(Translator&&) noexcept;
  Translator& operator=(Translator&&) noexcept;

  // One Translation per source, in order. An empty source translates to one empty
  // hypothesis; bytes that are not UTF-8 are read as U+FFFD.
  std::vector<Translation> translate(const std::vector<std::string>& sources,
                                     const TranslationOptions& options = {}) const;

  // log P(target | source) of each pair (natural log, target pieces and EOS), dropout off.
  std::vector<double> score(const std::vector<std::string>& sources, const std::vector<std::string>& targets,
                            int batch_size = 64) const;

  // Translates every line of `input` (a path, plain or gzip; "-": standard input) into one
  // line of `output` (a path; "-": standard output), as `tfm translate` does: a window of
  // lines at a time, sorted by length into batches, written in input order and flushed
  // before the next window is read. With n_best > 1, "index ||| translation ||| score" lines.
  // Warnings and progress go to standard error.
  StreamSummary translate_file(const std::string& input, const std::string& output,
                               const TranslationOptions& options = {}, const StreamOptions& stream = {}) const;

  // score() over two line-aligned files, one "%.6f" line per pair, as `tfm score` does.
  StreamSummary score_file(const std::string& sources, const std::string& targets, const std::string& output,
                           int batch_size = 64, const StreamOptions& stream = {}) const;

  const std::string& model_dir() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tfm
