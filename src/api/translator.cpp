// tfm::Translator: the public face of decode::Translator, decode::score_pairs and
// api::make_translation, the same code `tfm translate`, `tfm score`, `tfm attention` and the
// server run.
#include "tfm/translator.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "api/translation.h"
#include "app/model_directory.h"
#include "app/stream.h"
#include "decode/scorer.h"
#include "decode/translator.h"
#include "kernels/matmul.h"
#include "text/utf8.h"

namespace tfm {

namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

decode::TranslateOptions internal_options(const TranslationOptions& o) {
  require(o.beam_size >= 1, "beam_size must be at least 1, got " + std::to_string(o.beam_size));
  require(o.n_best >= 1 && o.n_best <= o.beam_size, "n_best must be between 1 and beam_size (" +
                                                         std::to_string(o.beam_size) + "), got " +
                                                         std::to_string(o.n_best));
  require(o.batch_size >= 1, "batch_size must be at least 1, got " + std::to_string(o.batch_size));
  require(o.max_length_ratio >= 0 && o.max_length_offset >= 0, "max_length_ratio and max_length_offset may not be negative");
  require(o.min_length >= 0 && o.max_input_tokens >= 0, "min_length and max_input_tokens may not be negative");
  decode::TranslateOptions t;
  t.search.beam_size = o.beam_size;
  t.search.length_penalty = o.length_penalty;
  t.search.n_best = o.n_best;
  t.search.max_length_ratio = o.max_length_ratio;
  t.search.max_length_offset = o.max_length_offset;
  t.search.min_length = o.min_length;
  t.batch_size = o.batch_size;
  t.max_input_tokens = o.max_input_tokens;
  return t;
}

// Text from a caller may hold anything: what is not UTF-8 reads as U+FFFD, as in `tfm translate`.
std::vector<std::string> valid_utf8(const std::vector<std::string>& lines) {
  std::vector<std::string> valid = lines;
  for (std::string& line : valid)
    if (text::find_invalid_utf8(line)) line = text::replace_invalid_utf8(line);
  return valid;
}

// Standard output for "-", else the file, created or emptied; closed (and checked) at the end.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path)
      : path_(path), file_(path == "-" ? stdout : std::fopen(path.c_str(), "wb")) {
    if (!file_) throw std::runtime_error("cannot write '" + path + "': " + std::strerror(errno));
  }
  ~OutputFile() {
    if (file_ != stdout) std::fclose(file_);
  }
  std::FILE* get() const { return file_; }
  void close() {
    if (file_ == stdout) return;
    std::FILE* file = std::exchange(file_, stdout);
    if (std::fclose(file) != 0) throw std::runtime_error("cannot write '" + path_ + "': " + std::strerror(errno));
  }

 private:
  std::string path_;
  std::FILE* file_;
};

}  // namespace

struct Translator::Impl {
  std::string model_dir;
  int threads;
  app::ModelDirectory model;
  // The model keeps each layer's activations between calls: one call at a time.
  std::mutex mutex;
};

Translator::Translator(const std::string& model_dir, int threads)
    : impl_(new Impl{model_dir, threads, app::load_model_directory(model_dir), {}}) {
  require(threads >= 0, "threads may not be negative, got " + std::to_string(threads));
}

Translator::~Translator() = default;
Translator::Translator(Translator&&) noexcept = default;
Translator& Translator::operator=(Translator&&) noexcept = default;

const std::string& Translator::model_dir() const { return impl_->model_dir; }

std::vector<Translation> Translator::translate(const std::vector<std::string>& sources,
                                               const TranslationOptions& options) const {
  const decode::TranslateOptions internal = internal_options(options);
  const std::vector<std::string> lines = valid_utf8(sources);
  std::lock_guard lock(impl_->mutex);
  kernels::set_num_threads(impl_->threads);  // OpenMP's setting is per calling thread
  nn::Transformer& model = *impl_->model.model;
  const text::Tokenizer& tokenizer = impl_->model.tokenizer;
  const decode::Translator translator(model, tokenizer);
  const auto results = translator.translate(lines, internal);
  std::vector<Translation> translations;
  for (size_t i = 0; i < results.size(); ++i)
    translations.push_back(api::make_translation(model, tokenizer, translator.source_ids(lines[i], internal),
                                                 results[i], options.return_attention));
  return translations;
}

StreamSummary Translator::translate_file(const std::string& input, const std::string& output,
                                         const TranslationOptions& options, const StreamOptions& stream) const {
  const decode::TranslateOptions internal = internal_options(options);
  require(stream.maxi_batch >= 1, "maxi_batch must be at least 1, got " + std::to_string(stream.maxi_batch));
  io::LineReader reader(input);
  OutputFile out(output);
  std::lock_guard lock(impl_->mutex);
  kernels::set_num_threads(impl_->threads);
  const decode::Translator translator(*impl_->model.model, impl_->model.tokenizer);
  const StreamSummary summary = app::translate_stream(translator, reader, out.get(), internal, stream, std::cerr);
  out.close();
  return summary;
}

StreamSummary Translator::score_file(const std::string& sources, const std::string& targets, const std::string& output,
                                     int batch_size, const StreamOptions& stream) const {
  require(batch_size >= 1, "batch_size must be at least 1, got " + std::to_string(batch_size));
  require(stream.maxi_batch >= 1, "maxi_batch must be at least 1, got " + std::to_string(stream.maxi_batch));
  io::LineReader source_reader(sources), target_reader(targets);
  OutputFile out(output);
  std::lock_guard lock(impl_->mutex);
  kernels::set_num_threads(impl_->threads);
  const StreamSummary summary = app::score_stream(*impl_->model.model, impl_->model.tokenizer, source_reader,
                                                  target_reader, out.get(), batch_size, stream, std::cerr);
  out.close();
  return summary;
}

std::vector<double> Translator::score(const std::vector<std::string>& sources, const std::vector<std::string>& targets,
                                      int batch_size) const {
  require(sources.size() == targets.size(), "score needs as many targets as sources: " +
                                                std::to_string(sources.size()) + " sources, " +
                                                std::to_string(targets.size()) + " targets");
  require(batch_size >= 1, "batch_size must be at least 1, got " + std::to_string(batch_size));
  std::lock_guard lock(impl_->mutex);
  kernels::set_num_threads(impl_->threads);
  nn::Transformer& model = *impl_->model.model;
  const text::Tokenizer& tokenizer = impl_->model.tokenizer;
  const size_t max_pieces = size_t(model.config().max_positions - 1);
  std::vector<std::vector<int32_t>> source_ids, target_ids;
  for (size_t i = 0; i < sources.size(); ++i) {
    for (const auto& [text, ids, side] : {std::tuple{&sources[i], &source_ids, "source"},
                                          std::tuple{&targets[i], &target_ids, "target"}}) {
      const std::vector<int> pieces = tokenizer.encode(text::replace_invalid_utf8(*text));
      require(pieces.size() <= max_pieces, std::string(side) + " " + std::to_string(i) + " has " +
                                               std::to_string(pieces.size()) + " pieces; the model allows " +
                                               std::to_string(max_pieces));
      ids->emplace_back(pieces.begin(), pieces.end());
    }
  }
  return decode::score_pairs(model, source_ids, target_ids, batch_size);
}

}  // namespace tfm
