#include "io/corpus.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/error_message.h"
#include "support/files.h"
#include "support/temp_dir.h"

namespace tfm::io {
namespace {

using tfm::testing::error_of;
using tfm::testing::read_bytes;
using tfm::testing::TempDir;

TEST(ReadLines, SplitsOnNewlineAndStripsCarriageReturn) {
  TempDir dir;
  const auto path = dir.write("a.txt", "one\r\ntwo\n\nfour\r\nlast without newline");
  EXPECT_EQ(read_lines(path),
            (std::vector<std::string>{"one", "two", "", "four", "last without newline"}));
}

TEST(ReadLines, EmptyFileHasNoLinesAndFinalNewlineAddsNone) {
  TempDir dir;
  EXPECT_TRUE(read_lines(dir.write("empty.txt", "")).empty());
  EXPECT_EQ(read_lines(dir.write("one.txt", "x\n")), std::vector<std::string>{"x"});
  EXPECT_EQ(read_lines(dir.write("blank.txt", "\n")), std::vector<std::string>{""});
}

TEST(ReadLines, ReadsGzipByMagicBytesWhateverTheName) {
  TempDir dir;
  const auto path = dir.write_gzip("looks-plain.txt", "Ein Hund.\nZwei Hunde.\r\n");
  EXPECT_EQ(read_lines(path), (std::vector<std::string>{"Ein Hund.", "Zwei Hunde."}));
}

// Lines long enough, and many enough, to straddle the reader's internal chunk boundaries.
TEST(ReadLines, LinesSpanningReadChunksStayWhole) {
  std::vector<std::string> expected;
  std::string text;
  for (int i = 0; i < 60000; ++i) {
    expected.push_back(std::string(static_cast<size_t>(i % 97), 'a' + i % 26) +
                       std::to_string(i) + "\xC3\xA4");  // ends with a two-byte 'ä'
    text += expected.back() + (i % 3 == 0 ? "\r\n" : "\n");
  }
  ASSERT_GT(text.size(), size_t{3} << 20);
  TempDir dir;
  EXPECT_EQ(read_lines(dir.write("big.txt", text)), expected);
  EXPECT_EQ(read_lines(dir.write_gzip("big.txt.gz", text)), expected);
}

TEST(ReadLines, InvalidUtf8NamesFileLineAndByte) {
  TempDir dir;
  const auto path = dir.write("bad.txt", "fine\nalso fine\nab\xED\xA0\x80 surrogate\n");
  EXPECT_EQ(error_of([&] { read_lines(path); }), path + ":3: invalid UTF-8 at byte 3");
  const auto gz = dir.write_gzip("bad.gz", "\xC0\xAF\n");
  EXPECT_EQ(error_of([&] { read_lines(gz); }), gz + ":1: invalid UTF-8 at byte 1");
}

TEST(ReadLines, MissingFileIsNamed) {
  TempDir dir;
  const auto path = dir.file("missing.de.gz");
  const std::string message = error_of([&] { read_lines(path); });
  EXPECT_NE(message.find("'" + path + "'"), std::string::npos) << message;
  EXPECT_NE(message.find("No such file"), std::string::npos) << message;
}

TEST(ReadLines, TruncatedGzipIsAnError) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i) + "\n";
  const std::string whole = read_bytes(dir.write_gzip("whole.gz", text));
  const auto path = dir.write("cut.gz", whole.substr(0, whole.size() / 2));
  const std::string message = error_of([&] { read_lines(path); });
  EXPECT_NE(message.find("'" + path + "'"), std::string::npos) << message;
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

TEST(ReadText, GivesTheBytesOfPlainAndGzipFilesAsTheyAre) {
  TempDir dir;
  const std::string text = "one\r\n\xFFnot UTF-8, kept\nno final newline";
  EXPECT_EQ(read_text(dir.write("plain.txt", text)), text);
  EXPECT_EQ(read_text(dir.write_gzip("text.gz", text)), text);
  const std::string whole = read_bytes(dir.write_gzip("whole.gz", std::string(100000, 'x')));
  const auto cut = dir.write("cut.gz", whole.substr(0, whole.size() / 2));
  EXPECT_NE(error_of([&] { read_text(cut); }).find("truncated"), std::string::npos);
}

TEST(ReadParallelCorpus, ReadsBothSides) {
  TempDir dir;
  const auto en = dir.write("train.en", "A dog.\nTwo cats.\n");
  const auto de = dir.write_gzip("train.de.gz", "Ein Hund.\nZwei Katzen.\n");
  const ParallelCorpus corpus = read_parallel_corpus(en, de);
  ASSERT_EQ(corpus.size(), 2u);
  EXPECT_EQ(corpus.source[1], "Two cats.");
  EXPECT_EQ(corpus.target[1], "Zwei Katzen.");
}

TEST(ReadParallelCorpus, DifferentLineCountsNameBothFilesAndCounts) {
  TempDir dir;
  const auto en = dir.write("train.en", "a\nb\nc\n");
  const auto de = dir.write("train.de", "a\nb\n");
  EXPECT_EQ(error_of([&] { read_parallel_corpus(en, de); }),
            "parallel corpus sides differ in length: '" + en + "' has 3 lines, '" + de +
                "' has 2 lines");
}

TEST(ReadParallelCorpus, MissingSideIsNamed) {
  TempDir dir;
  const auto en = dir.write("train.en", "a\n");
  const auto de = dir.file("train.de");
  const std::string message = error_of([&] { read_parallel_corpus(en, de); });
  EXPECT_NE(message.find("'" + de + "'"), std::string::npos) << message;
}

TEST(ReadParallelCorpus, ReadsMulti30kTraining) {
  const std::filesystem::path dir = std::filesystem::path(TFM_SHARED_DIR) / "data" / "multi30k";
  if (!std::filesystem::exists(dir / "train.en.gz"))
    GTEST_SKIP() << "Multi30k not found at " << dir.string() << "; skipping";
  const ParallelCorpus corpus =
      read_parallel_corpus((dir / "train.en.gz").string(), (dir / "train.de.gz").string());
  ASSERT_EQ(corpus.size(), 29000u);
  EXPECT_EQ(corpus.source.front(), "Two young, White males are outside near many bushes.");
  EXPECT_EQ(corpus.target.front(),
            "Zwei junge weiße Männer sind im Freien in der Nähe vieler Büsche.");
  EXPECT_EQ(corpus.target.back(),
            "Ein Mann in Shorts und Hawaiihemd lehnt sich über das Geländer eines "
            "Lotsenboots, mit Nebel und Bergen im Hintergrund.");
}

}  // namespace
}  // namespace tfm::io
