#include "text/tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/error_message.h"
#include "support/files.h"
#include "support/temp_dir.h"
#include "tensor/random.h"

namespace tfm::text {
namespace {

using tfm::testing::error_of;
using tfm::testing::read_bytes;
using tfm::testing::TempDir;

// Sentences from small word lists, English on one side and German on the other.
std::vector<std::string> generated_sentences(const std::vector<std::string>& words, int count,
                                             uint64_t seed) {
  SplitMix64 rng(seed);
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) {
    std::string line;
    const int length = 3 + static_cast<int>(rng.next() % 8);
    for (int w = 0; w < length; ++w)
      line += (w ? " " : "") + words[rng.next() % words.size()];
    lines.push_back(line + ".");
  }
  return lines;
}

const std::vector<std::string> kEnglish = {"a",     "dog",   "runs",  "through", "the",
                                           "green", "field", "two",   "children", "play",
                                           "with",  "ball",  "man",   "is",      "sitting"};
const std::vector<std::string> kGerman = {"ein",    "Hund",   "läuft", "über",   "die",
                                          "grüne",  "Wiese",  "zwei",  "Kinder", "spielen",
                                          "mit",    "Ball",   "Mann",  "sitzt",  "Straße"};

class TrainedTokenizer : public ::testing::Test {
 protected:
  static constexpr int kVocabSize = 60;

  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    source_ = generated_sentences(kEnglish, 300, 1);
    target_ = generated_sentences(kGerman, 300, 2);
    Tokenizer::train_joint(source_, target_, model_path(), kVocabSize);
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static std::string model_path() { return dir_->file("joint.spm.model"); }

  static std::unique_ptr<TempDir> dir_;
  static std::vector<std::string> source_, target_;
};
std::unique_ptr<TempDir> TrainedTokenizer::dir_;
std::vector<std::string> TrainedTokenizer::source_, TrainedTokenizer::target_;

TEST_F(TrainedTokenizer, WritesOnlyTheModelFile) {
  EXPECT_EQ(dir_->listing(), std::vector<std::string>{"joint.spm.model"});
}

TEST_F(TrainedTokenizer, SpecialIdsMatchTheModelConfigDefaults) {
  const Tokenizer tokenizer = Tokenizer::load(model_path());
  EXPECT_EQ(tokenizer.vocab_size(), kVocabSize);
  EXPECT_EQ(tokenizer.pad_id(), 0);
  EXPECT_EQ(tokenizer.unk_id(), 1);
  EXPECT_EQ(tokenizer.bos_id(), 2);
  EXPECT_EQ(tokenizer.eos_id(), 3);
  EXPECT_EQ(tokenizer.piece(0), "<pad>");
  EXPECT_EQ(tokenizer.piece(1), "<unk>");
  EXPECT_EQ(tokenizer.piece(2), "<s>");
  EXPECT_EQ(tokenizer.piece(3), "</s>");
}

TEST_F(TrainedTokenizer, RoundTripsBothSidesWithoutSpecials) {
  const Tokenizer tokenizer = Tokenizer::load(model_path());
  for (const auto* side : {&source_, &target_}) {
    for (const std::string& line : *side) {
      const std::vector<int> ids = tokenizer.encode(line);
      ASSERT_FALSE(ids.empty());
      for (int id : ids) {
        EXPECT_GT(id, Tokenizer::kEosId) << line;  // pieces only: no pad, unk, BOS, EOS
        EXPECT_LT(id, kVocabSize);
      }
      EXPECT_EQ(tokenizer.decode(ids), line);
    }
  }
  // A sentence it never saw, mixing both languages.
  const std::string unseen = "the grüne dog spielen mit two Straße.";
  EXPECT_EQ(tokenizer.decode(tokenizer.encode(unseen)), unseen);
}

TEST_F(TrainedTokenizer, PiecesSpellTheText) {
  const Tokenizer tokenizer = Tokenizer::load(model_path());
  std::string spelled;
  for (int id : tokenizer.encode("ein Hund läuft")) spelled += tokenizer.piece(id);
  EXPECT_EQ(spelled, "\u2581ein\u2581Hund\u2581läuft");  // ▁ marks a preceding space
}

TEST_F(TrainedTokenizer, UnseenCharactersBecomeUnknownAndSpecialsDecodeToNothing) {
  const Tokenizer tokenizer = Tokenizer::load(model_path());
  const std::vector<int> ids = tokenizer.encode("\u03A9");  // Ω never occurs in training
  EXPECT_NE(std::find(ids.begin(), ids.end(), Tokenizer::kUnkId), ids.end());
  std::vector<int> framed = tokenizer.encode("zwei Kinder");
  framed.insert(framed.begin(), Tokenizer::kBosId);
  framed.push_back(Tokenizer::kEosId);
  framed.push_back(Tokenizer::kPadId);
  EXPECT_EQ(tokenizer.decode(framed), "zwei Kinder");
}

TEST_F(TrainedTokenizer, IdsOutsideTheVocabularyThrow) {
  const Tokenizer tokenizer = Tokenizer::load(model_path());
  EXPECT_THROW(tokenizer.piece(kVocabSize), std::out_of_range);
  EXPECT_THROW(tokenizer.piece(-1), std::out_of_range);
  EXPECT_THROW(tokenizer.decode({4, kVocabSize}), std::out_of_range);
}

TEST_F(TrainedTokenizer, SameSeedSameModelAndSamplingCapsTheInput) {
  TokenizerTrainingOptions capped;
  capped.max_sentences = 200;  // of 600
  const std::string a = dir_->file("a.model"), b = dir_->file("b.model"), c = dir_->file("c.model");
  Tokenizer::train_joint(source_, target_, a, 40, capped);
  Tokenizer::train_joint(source_, target_, b, 40, capped);
  capped.seed = 2;
  Tokenizer::train_joint(source_, target_, c, 40, capped);
  EXPECT_EQ(read_bytes(a), read_bytes(b));
  EXPECT_NE(read_bytes(a), read_bytes(c));  // another seed, another sample
  for (const auto& path : {a, b, c}) std::filesystem::remove(path);
}

TEST(Tokenizer, LoadNamesAMissingFile) {
  TempDir dir;
  const std::string path = dir.file("missing.model");
  const std::string message = error_of([&] { Tokenizer::load(path); });
  EXPECT_NE(message.find("'" + path + "'"), std::string::npos) << message;
  EXPECT_NE(message.find("No such file"), std::string::npos) << message;
}

TEST(Tokenizer, LoadNamesAFileThatIsNoModel) {
  TempDir dir;
  const std::string path = dir.write("text.model", "this is not a protobuf\n");
  EXPECT_EQ(error_of([&] { Tokenizer::load(path); }),
            "cannot load SentencePiece model '" + path + "': not a SentencePiece model");
}

// Found by fuzz/sentencepiece_fuzzer.cpp: a model whose pieces include an empty one parses,
// then the library throws from building its dictionary, in words that name no file.
TEST(Tokenizer, LoadNamesAModelWithAnEmptyPiece) {
  const std::string path = TFM_FIXTURES_DIR "/fuzz/sentencepiece-empty-piece.model";
  const std::string message = error_of([&] { Tokenizer::load(path); });
  EXPECT_EQ(message.rfind("cannot load SentencePiece model '" + path + "': not a usable model", 0), 0u) << message;
}

TEST(Tokenizer, TrainingErrorsNameTheModelPath) {
  TempDir dir;
  const auto lines = generated_sentences(kEnglish, 50, 3);
  const std::string unwritable = dir.file("no-such-dir/m.model");
  EXPECT_NE(error_of([&] { Tokenizer::train_joint(lines, lines, unwritable, 40); })
                .find("'" + unwritable + "'"),
            std::string::npos);
  const std::string too_big = dir.file("m.model");  // 15 words cannot fill 5000 pieces
  const std::string message = error_of([&] { Tokenizer::train_joint(lines, lines, too_big, 5000); });
  EXPECT_NE(message.find("'" + too_big + "'"), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(too_big));
}

}  // namespace
}  // namespace tfm::text
