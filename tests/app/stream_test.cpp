// Streaming translation and scoring: the same results as the whole input at once, whatever
// the window, one output line per input line, and bad lines reported by file and line.
#include "app/stream.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "app/model_directory.h"
#include "decode/scorer.h"
#include "demo/number_words.h"
#include "support/error_message.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

namespace tfm::app {
namespace {

using testing::error_of;
using testing::expect_mentions;
using testing::TempDir;

// Everything a stream writes to its FILE*, as a string.
class MemoryOutput {
 public:
  MemoryOutput() : file_(open_memstream(&data_, &size_)) {}
  ~MemoryOutput() {
    std::fclose(file_);
    std::free(data_);
  }
  std::FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(data_, size_);
  }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

class StreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_dir_ = new testing::TinyModelDirectory;
    model_ = new ModelDirectory(load_model_directory(model_dir_->path()));
  }
  static void TearDownTestSuite() {
    delete model_;
    delete model_dir_;
  }

  // Lines of numbers of every length, with empty lines among them.
  static std::vector<std::string> sample_lines(int count) {
    std::vector<std::string> lines;
    for (int i = 0; i < count; ++i) lines.push_back(i % 7 == 3 ? "" : demo::english_number((i * 37) % 400));
    return lines;
  }

  static std::string join(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return text;
  }

  std::string translate(const std::string& path, const decode::TranslateOptions& options, const StreamOptions& stream,
                        std::string* log_text = nullptr) {
    io::LineReader input(path);
    MemoryOutput output;
    std::ostringstream log;
    translate_stream(decode::Translator(*model_->model, model_->tokenizer), input, output.file(), options, stream,
                     log);
    if (log_text) *log_text = log.str();
    return output.text();
  }

  TempDir dir_;
  static testing::TinyModelDirectory* model_dir_;
  static ModelDirectory* model_;
};

testing::TinyModelDirectory* StreamTest::model_dir_ = nullptr;
ModelDirectory* StreamTest::model_ = nullptr;

TEST_F(StreamTest, TranslationIsTheWholeInputsWhateverTheWindow) {
  const std::vector<std::string> lines = sample_lines(150);
  const std::string path = dir_.write_gzip("input.en.gz", join(lines));
  for (const int beam : {1, 3}) {
    decode::TranslateOptions options;
    options.search.beam_size = beam;
    options.batch_size = 8;
    // Whole-input mode: every line at once, sorted by length into batches of 8.
    std::string expected;
    for (const auto& r : decode::Translator(*model_->model, model_->tokenizer).translate(lines, options))
      expected += r.front().text + "\n";
    for (const int maxi_batch : {1, 3, 100}) {
      StreamOptions stream;
      stream.maxi_batch = maxi_batch;
      EXPECT_EQ(translate(path, options, stream), expected) << "beam " << beam << ", maxi-batch " << maxi_batch;
    }
  }
}

TEST_F(StreamTest, NBestLinesCarryTheGlobalLineIndex) {
  const std::string path = dir_.write("input.en", join(sample_lines(20)));
  decode::TranslateOptions options;
  options.search.beam_size = options.search.n_best = 2;
  options.batch_size = 4;
  StreamOptions stream;
  stream.maxi_batch = 1;  // windows of 4 lines
  std::istringstream out(translate(path, options, stream));
  std::vector<int> indices;
  for (std::string line; std::getline(out, line);) indices.push_back(std::stoi(line.substr(0, line.find(' '))));
  // Two hypotheses per line, one for each empty line (lines 3, 10 and 17).
  std::vector<int> expected;
  for (int i = 0; i < 20; ++i) expected.insert(expected.end(), i % 7 == 3 ? 1 : 2, i);
  EXPECT_EQ(indices, expected);
}

TEST_F(StreamTest, EveryInputLineGivesOneOutputLineWhateverItsBytes) {
  std::vector<std::string> lines = sample_lines(30);
  lines[4] = "two \xFF\xFE hundred";              // invalid UTF-8
  lines[9] = std::string("nul\0byte", 8);          // a NUL byte
  lines[12] = std::string(200000, 'x');            // far longer than the model's 64 positions
  lines[17] = "\xC3";                               // a sequence cut short, alone
  lines[21] = std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16);  // binary garbage
  const std::string path = dir_.write("input.en", join(lines));
  std::string log;
  const std::string output = translate(path, {}, {}, &log);
  // The garbage holds two newlines, so it is three input lines.
  const size_t input_lines = lines.size() + 2;
  EXPECT_EQ(size_t(std::count(output.begin(), output.end(), '\n')), input_lines);
  expect_mentions(log, {path + ":5: invalid UTF-8 at byte 5 (0xFF: invalid start byte); replaced by U+FFFD",
                        path + ":18: invalid UTF-8 at byte 1", path + ":13: 200001 pieces, truncated to 63",
                        "lines with invalid UTF-8 (replaced by U+FFFD)", "1 lines truncated"});
}

TEST_F(StreamTest, InvalidUtf8StopsWhenAskedNamingFileLineAndByte) {
  const std::string path = dir_.write("input.en", "one\ntwo\nthr\xE2\x82" "ee\n");
  StreamOptions stream;
  stream.invalid_utf8 = InvalidUtf8Policy::error;
  EXPECT_EQ(error_of([&] { translate(path, {}, stream); }),
            path + ":3: invalid UTF-8 at byte 4 (0xE2: invalid continuation byte)");
}

TEST_F(StreamTest, QuietRunsSayNothingButWarnings) {
  const std::string path = dir_.write("input.en", "one\n\xFF\n");
  StreamOptions stream;
  stream.progress = false;
  std::string log;
  translate(path, {}, stream, &log);
  EXPECT_EQ(log, "tfm translate: warning: " + path + ":2: invalid UTF-8 at byte 1 (0xFF: invalid start byte); "
                 "replaced by U+FFFD\n");
  translate(dir_.write("good.en", "one\n"), {}, stream, &log);
  EXPECT_EQ(log, "");
}

TEST_F(StreamTest, WarningsOfOneKindStopAfterTenButAllAreCounted) {
  std::string text;
  for (int i = 0; i < 25; ++i) text += "bad \xFF\n";
  std::string log;
  translate(dir_.write("bad.en", text), {}, {}, &log);
  EXPECT_EQ(size_t(std::count(log.begin(), log.end(), '\n')), 12u) << log;  // 10 warnings, the notice, the summary
  expect_mentions(log, {"further warnings of this kind are only counted in the summary",
                        "25 lines with invalid UTF-8"});
}

TEST_F(StreamTest, ScoresAreTheWholeInputsWhateverTheWindow) {
  const std::vector<std::string> sources = sample_lines(90);
  std::vector<std::string> targets;
  for (int i = 0; i < 90; ++i) targets.push_back(demo::german_number((i * 11) % 400));
  const std::string src = dir_.write("s.en", join(sources)), tgt = dir_.write_gzip("t.de.gz", join(targets));
  std::vector<std::vector<int32_t>> source_ids, target_ids;
  for (int i = 0; i < 90; ++i) {
    const auto s = model_->tokenizer.encode(sources[size_t(i)]), t = model_->tokenizer.encode(targets[size_t(i)]);
    source_ids.emplace_back(s.begin(), s.end());
    target_ids.emplace_back(t.begin(), t.end());
  }
  const std::vector<double> whole = decode::score_pairs(*model_->model, source_ids, target_ids, 16);
  std::string expected;
  char number[64];
  for (double score : whole) {
    std::snprintf(number, sizeof number, "%.6f\n", score);
    expected += number;
  }
  const auto scores = [&](int maxi_batch) {
    io::LineReader s(src), t(tgt);
    MemoryOutput output;
    std::ostringstream log;
    StreamOptions stream;
    stream.maxi_batch = maxi_batch;
    score_stream(*model_->model, model_->tokenizer, s, t, output.file(), 16, stream, log);
    return output.text();
  };
  // A window that holds the whole input makes the same batches: the same bytes.
  EXPECT_EQ(scores(100), expected);
  // Windows of 16 pairs batch them differently: padding changes the shapes of the products,
  // and so the order of float sums, by a few units in the last place.
  std::istringstream windowed(scores(1));
  size_t i = 0;
  for (std::string line; std::getline(windowed, line); ++i)
    EXPECT_NEAR(std::stod(line), whole[i], 1e-6 * std::abs(whole[i]) + 1e-6) << "line " << i + 1;
  EXPECT_EQ(i, whole.size());
}

TEST_F(StreamTest, ScoringSidesOfDifferentLengthsNameBothFilesAndCounts) {
  const std::string src = dir_.write("s.en", "one\ntwo\nthree\n"), tgt = dir_.write("t.de", "eins\nzwei\n");
  for (const bool swapped : {false, true}) {
    io::LineReader s(swapped ? tgt : src), t(swapped ? src : tgt);
    MemoryOutput output;
    std::ostringstream log;
    StreamOptions stream;
    stream.maxi_batch = 1;
    const std::string message =
        error_of([&] { score_stream(*model_->model, model_->tokenizer, s, t, output.file(), 1, stream, log); });
    EXPECT_EQ(message, swapped ? "parallel input sides differ in length: '" + tgt + "' has 2 lines, '" + src + "' has 3 lines"
                               : "parallel input sides differ in length: '" + src + "' has 3 lines, '" + tgt + "' has 2 lines");
    const std::string scored = output.text();
    EXPECT_EQ(std::count(scored.begin(), scored.end(), '\n'), 2) << "the pairs before are scored";
  }
}

TEST_F(StreamTest, ScoringALineLongerThanTheModelNamesIt) {
  const std::string src = dir_.write("s.en", "one\n" + std::string(500, 'x') + "\n"), tgt = dir_.write("t.de", "eins\nzwei\n");
  io::LineReader s(src), t(tgt);
  MemoryOutput output;
  std::ostringstream log;
  EXPECT_EQ(error_of([&] { score_stream(*model_->model, model_->tokenizer, s, t, output.file(), 8, {}, log); }),
            "line 2 of '" + src + "' / '" + tgt + "' is longer than the model's 63 pieces");
}

}  // namespace
}  // namespace tfm::app
