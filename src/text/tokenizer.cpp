#include "text/tokenizer.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <cassert>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>

#include "tensor/shuffle.h"

namespace tfm::text {

class Tokenizer::Impl {
 public:
  sentencepiece::SentencePieceProcessor processor;
};

namespace {

// Feeds sentences to the trainer straight from memory, with no temporary input file.
class SentenceList : public sentencepiece::SentenceIterator {
 public:
  explicit SentenceList(std::vector<const std::string*> sentences)
      : sentences_(std::move(sentences)) {}
  bool done() const override { return next_ >= sentences_.size(); }
  void Next() override { ++next_; }
  const std::string& value() const override { return *sentences_[next_]; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  std::vector<const std::string*> sentences_;
  size_t next_ = 0;
};

// Every non-empty line of both sides, or a uniform sample of max_sentences of them. We
// sample here rather than let SentencePiece do it so that the seed fixes the sample.
std::vector<const std::string*> training_sentences(const std::vector<std::string>& source,
                                                   const std::vector<std::string>& target,
                                                   const TokenizerTrainingOptions& options) {
  std::vector<const std::string*> sentences;
  sentences.reserve(source.size() + target.size());
  for (const auto* side : {&source, &target})
    for (const std::string& line : *side)
      if (!line.empty()) sentences.push_back(&line);
  const auto cap = static_cast<size_t>(std::max<int64_t>(options.max_sentences, 1));
  if (sentences.size() > cap) {
    SplitMix64 rng(options.seed);
    partial_shuffle(sentences.begin(), sentences.end(), cap, rng);
    sentences.resize(cap);
  }
  return sentences;
}

void write_atomically(const std::string& path, const std::string& bytes) {
  const std::string temporary = path + ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::filesystem::remove(temporary);
      throw std::runtime_error("cannot write SentencePiece model '" + path + "' (via '" +
                               temporary + "')");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary);
    throw std::runtime_error("cannot write SentencePiece model '" + path +
                             "': " + error.message());
  }
}

void check_id(int id, int vocab_size) {
  if (id < 0 || id >= vocab_size)
    throw std::out_of_range("token id " + std::to_string(id) + " outside the vocabulary [0, " +
                            std::to_string(vocab_size) + ")");
}

}  // namespace

void Tokenizer::train_joint(const std::vector<std::string>& source_lines,
                            const std::vector<std::string>& target_lines,
                            const std::string& model_path, int vocab_size,
                            const TokenizerTrainingOptions& options) {
  const int threads = options.num_threads > 0
                          ? options.num_threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::unordered_map<std::string, std::string> spec = {
      {"model_type", options.model_type},
      {"vocab_size", std::to_string(vocab_size)},
      {"character_coverage", std::to_string(options.character_coverage)},
      {"pad_id", std::to_string(kPadId)},
      {"unk_id", std::to_string(kUnkId)},
      {"bos_id", std::to_string(kBosId)},
      {"eos_id", std::to_string(kEosId)},
      {"input_sentence_size", "0"},  // training_sentences() has already sampled
      {"num_threads", std::to_string(threads)},
      {"minloglevel", "1"},  // warnings and errors only: no progress chatter
  };
  // Fail before training, which can take minutes, rather than after it.
  const auto directory = std::filesystem::path(model_path).parent_path();
  if (!directory.empty() && !std::filesystem::is_directory(directory))
    throw std::runtime_error("cannot write SentencePiece model '" + model_path +
                             "': no directory '" + directory.string() + "'");
  SentenceList sentences(training_sentences(source_lines, target_lines, options));
  std::string model;
  const auto status = sentencepiece::SentencePieceTrainer::Train(spec, &sentences, &model);
  if (!status.ok())
    throw std::runtime_error("training SentencePiece model '" + model_path +
                             "' failed: " + status.message());
  write_atomically(model_path, model);
}

Tokenizer Tokenizer::load(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  sentencepiece::util::Status status;
  try {
    status = impl->processor.Load(path);
  } catch (const std::exception& e) {
    // A model that parses but whose pieces cannot make a dictionary (an empty piece, say)
    // throws from inside the library, with a message that does not name the file.
    throw std::runtime_error("cannot load SentencePiece model '" + path + "': not a usable model (" + e.what() + ")");
  }
  if (!status.ok()) {
    // A file that exists but does not parse comes back as an internal error whose text
    // is a source location; say what it means instead.
    const bool unparsable = status.code() == sentencepiece::util::StatusCode::kInternal;
    throw std::runtime_error("cannot load SentencePiece model '" + path + "': " +
                             (unparsable ? "not a SentencePiece model" : status.message()));
  }
  return Tokenizer(std::move(impl));
}

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

std::vector<int> Tokenizer::encode(const std::string& text) const {
  std::vector<int> ids;
  // Encoding fails only on an unloaded processor, which load() rules out.
  [[maybe_unused]] const auto status = impl_->processor.Encode(text, &ids);
  assert(status.ok());
  return ids;
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
  for (int id : ids) check_id(id, vocab_size());
  std::string text;
  [[maybe_unused]] const auto status = impl_->processor.Decode(ids, &text);
  assert(status.ok());
  return text;
}

const std::string& Tokenizer::piece(int id) const {
  check_id(id, vocab_size());
  return impl_->processor.IdToPiece(id);
}

int Tokenizer::vocab_size() const { return impl_->processor.GetPieceSize(); }
int Tokenizer::pad_id() const { return impl_->processor.pad_id(); }
int Tokenizer::unk_id() const { return impl_->processor.unk_id(); }
int Tokenizer::bos_id() const { return impl_->processor.bos_id(); }
int Tokenizer::eos_id() const { return impl_->processor.eos_id(); }

}  // namespace tfm::text
