#pragma once
// Subword tokenization with SentencePiece, behind a small interface so that only
// tokenizer.cpp sees the library's headers. One joint model serves source and target,
// which lets the model tie its embeddings across both sides.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tfm::text {

struct TokenizerTrainingOptions {
  std::string model_type = "unigram";  // or "bpe", "char", "word"
  // Fraction of characters the vocabulary must cover; 1.0 keeps every character seen,
  // the right choice for languages with small alphabets.
  double character_coverage = 1.0;
  // Training reads at most this many sentences (both sides together); bigger corpora are
  // sampled uniformly, reproducibly from `seed`.
  int64_t max_sentences = 2'000'000;
  uint64_t seed = 1;
  int num_threads = 0;  // 0: one per hardware thread
};

class Tokenizer {
 public:
  // The ids train_joint() assigns, which are also the model config's defaults.
  static constexpr int kPadId = 0;
  static constexpr int kUnkId = 1;
  static constexpr int kBosId = 2;
  static constexpr int kEosId = 3;

  // Trains one model on both sides and writes it to model_path. The file appears
  // atomically (written under a temporary name, then renamed), so a crash never leaves a
  // half-written model. Throws std::runtime_error naming model_path on failure.
  static void train_joint(const std::vector<std::string>& source_lines,
                          const std::vector<std::string>& target_lines,
                          const std::string& model_path, int vocab_size,
                          const TokenizerTrainingOptions& options = {});

  // Throws std::runtime_error naming `path` when it is missing or not a model.
  static Tokenizer load(const std::string& path);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // Piece ids of `text`, without BOS or EOS. Thread-safe.
  std::vector<int> encode(const std::string& text) const;
  // Text of `ids`; special pieces (pad, BOS, EOS) decode to nothing. Throws
  // std::out_of_range for an id outside the vocabulary.
  std::string decode(const std::vector<int>& ids) const;
  // The piece spelled by `id`, e.g. "▁Hund"; throws std::out_of_range like decode().
  const std::string& piece(int id) const;

  int vocab_size() const;
  int pad_id() const;
  int unk_id() const;
  int bos_id() const;
  int eos_id() const;

 private:
  class Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tfm::text
