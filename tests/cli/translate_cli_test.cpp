// `tfm translate` and `tfm score` as a user runs them: from a file, standard input or a pipe
// that stays open; output as it goes; one line out per line in; complete lines when killed.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "demo/number_words.h"
#include "support/files.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

namespace tfm {
namespace {

using testing::ChildProcess;
using testing::run_process;

size_t count_lines(const std::string& text) { return size_t(std::count(text.begin(), text.end(), '\n')); }

class TranslateCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { model_ = new testing::TinyModelDirectory; }
  static void TearDownTestSuite() { delete model_; }

  static std::string numbers(int count, int offset = 0) {
    std::string text;
    for (int i = 0; i < count; ++i) text += demo::english_number((i * 37 + offset) % 400) + "\n";
    return text;
  }

  std::vector<std::string> translate(std::vector<std::string> extra) const {
    std::vector<std::string> args = {TFM_BINARY, "translate", "--model", model_->path().string(), "--threads", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  testing::TempDir dir_;
  static testing::TinyModelDirectory* model_;
};

testing::TinyModelDirectory* TranslateCli::model_ = nullptr;

TEST_F(TranslateCli, FileGzipAndStandardInputGiveTheSameLines) {
  const std::string text = numbers(300);
  const auto from_file = run_process(translate({"--input", dir_.write("in.en", text)}));
  ASSERT_EQ(from_file.exit_code, 0) << from_file.errors;
  EXPECT_EQ(count_lines(from_file.output), 300u);
  // Not a terminal: no live line, one summary line.
  EXPECT_EQ(count_lines(from_file.errors), 1u) << from_file.errors;
  EXPECT_NE(from_file.errors.find("tfm translate: 300 lines"), std::string::npos) << from_file.errors;
  const auto from_gzip = run_process(translate({"--input", dir_.write_gzip("in.gz", text), "--quiet"}));
  EXPECT_EQ(from_gzip.output, from_file.output);
  EXPECT_EQ(from_gzip.errors, "");
  const auto from_stdin = run_process(translate({"-q", "--maxi-batch", "1", "--batch-size", "7"}), text);
  EXPECT_EQ(from_stdin.output, from_file.output);
  const auto from_dash = run_process(translate({"--input", "-", "-q"}), text);
  EXPECT_EQ(from_dash.output, from_file.output);
}

// The new user's case: one line of invalid UTF-8 in 1,000 must not cost the other 999.
TEST_F(TranslateCli, OneInvalidLineInAThousandStillGivesAThousandLines) {
  std::string text = numbers(499) + "caf\xE9 au lait\n" + numbers(500, 3);
  const std::string path = dir_.write("in.en", text);
  const auto run = run_process(translate({"--input", path}));
  ASSERT_EQ(run.exit_code, 0) << run.errors;
  EXPECT_EQ(count_lines(run.output), 1000u);
  EXPECT_NE(run.errors.find("tfm translate: warning: " + path + ":500: invalid UTF-8 at byte 4"), std::string::npos)
      << run.errors;
  const auto strict = run_process(translate({"--input", path, "--invalid-utf8", "error", "--maxi-batch", "1"}));
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.errors.find("tfm: error: " + path + ":500: invalid UTF-8 at byte 4 (0xE9: invalid continuation byte)"),
            std::string::npos)
      << strict.errors;
  EXPECT_EQ(count_lines(strict.output), 448u) << "the windows before the bad line are written";  // 7 of 64 lines
}

// A pipe downstream sees each window's translations before the input has ended.
TEST_F(TranslateCli, WritesEachWindowAsSoonAsItIsTranslated) {
  ChildProcess child(translate({"--maxi-batch", "1", "--batch-size", "4", "-q"}));
  child.write_input(numbers(4));
  const std::string first = child.read_lines(4, std::chrono::seconds(60));
  EXPECT_EQ(count_lines(first), 4u) << "nothing arrived while the input stayed open";
  child.write_input(numbers(6, 1));
  EXPECT_EQ(child.wait(), 0) << child.errors();
  EXPECT_EQ(count_lines(child.output()), 10u);
}

// Killed at any moment, a run has written whole lines only: a prefix of the full output.
TEST_F(TranslateCli, AKilledRunLeavesOnlyCompleteLines) {
  const std::string input = dir_.write("in.en", numbers(20000));
  const auto full = run_process(translate({"--input", input, "-q", "--maxi-batch", "1", "--batch-size", "16"}));
  ASSERT_EQ(full.exit_code, 0) << full.errors;
  for (const size_t wait_for : {16u, 2000u, 9000u}) {
    ChildProcess child(translate({"--input", input, "-q", "--maxi-batch", "1", "--batch-size", "16"}));
    child.read_lines(wait_for, std::chrono::seconds(120));
    child.kill_now();
    const std::string& partial = child.output();
    ASSERT_FALSE(partial.empty());
    EXPECT_EQ(partial.back(), '\n');
    EXPECT_EQ(full.output.compare(0, partial.size(), partial), 0) << "not a prefix of the full output";
    EXPECT_EQ(count_lines(partial) % 16, 0u) << "windows are written whole";
  }
}

// On a terminal (script(1) gives the command one) a live line shows lines done, speed and an
// ETA, rewritten in place; the summary stays.
TEST_F(TranslateCli, ShowsALiveProgressLineOnATerminal) {
  if (!std::filesystem::exists("/usr/bin/script")) GTEST_SKIP() << "script(1) is not installed; skipping";
  const std::string input = dir_.write("in.en", numbers(60000));
  std::string command;
  for (const std::string& arg : translate({"--input", input, "--batch-size", "16", "--maxi-batch", "4"}))
    command += "'" + arg + "' ";
  const auto run = run_process({"/usr/bin/script", "-qec", command + "> " + dir_.file("out.de"), "/dev/null"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("\rtfm translate: "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("lines/s"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(", ETA "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("tfm translate: 60000 lines"), std::string::npos) << run.output;
  EXPECT_EQ(count_lines(testing::read_bytes(dir_.path() / "out.de")), 60000u);
}

// Typed at a terminal, each line is translated as soon as it is entered.
TEST_F(TranslateCli, TranslatesEachLineAsItIsTypedAtATerminal) {
  if (!std::filesystem::exists("/usr/bin/script")) GTEST_SKIP() << "script(1) is not installed; skipping";
  std::string command;
  for (const std::string& arg : translate({"-q"})) command += "'" + arg + "' ";
  ChildProcess child({"/usr/bin/script", "-qec", command, "/dev/null"});
  child.write_input("one hundred\n");
  // The terminal echoes the line typed, then the translation follows.
  const std::string first = child.read_lines(2, std::chrono::seconds(60));
  EXPECT_EQ(count_lines(first), 2u) << "no translation while the terminal stayed open: " << first;
  child.write_input("\x04");  // Ctrl-D: the end of the input
  EXPECT_EQ(child.wait(), 0) << child.output();
}

TEST_F(TranslateCli, ScoreReadsGzipAndStandardInput) {
  const std::string src = dir_.write("s.en", numbers(50));
  std::string german;
  for (int i = 0; i < 50; ++i) german += demo::german_number(i) + "\n";
  const std::string tgt = dir_.write_gzip("t.de.gz", german);
  const std::vector<std::string> score = {TFM_BINARY, "score", "--model", model_->path().string(), "--threads", "1", "-q"};
  auto args = score;
  args.insert(args.end(), {"--src", src, "--tgt", tgt});
  const auto from_files = run_process(args);
  ASSERT_EQ(from_files.exit_code, 0) << from_files.errors;
  EXPECT_EQ(count_lines(from_files.output), 50u);
  args = score;
  args.insert(args.end(), {"--src", "-", "--tgt", tgt});
  EXPECT_EQ(run_process(args, numbers(50)).output, from_files.output);
}

}  // namespace
}  // namespace tfm
