#include "io/text_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "support/error_message.h"
#include "support/files.h"
#include "support/temp_dir.h"

namespace tfm::io {
namespace {

using tfm::testing::error_of;
using tfm::testing::TempDir;

std::vector<std::string> all_lines(LineReader& reader) {
  std::vector<std::string> lines;
  for (std::string line; reader.next(line);) lines.push_back(line);
  return lines;
}

// The reader hands lines over as bytes: deciding what invalid UTF-8 means is the caller's.
TEST(LineReader, GivesEachLineAsItsBytesAndCountsThem) {
  TempDir dir;
  LineReader reader(dir.write("a.txt", "one\r\n\xFF\xFE\n\nlast"));
  EXPECT_EQ(all_lines(reader), (std::vector<std::string>{"one", "\xFF\xFE", "", "last"}));
  EXPECT_EQ(reader.line_number(), 4);
  std::string line = "untouched?";
  EXPECT_FALSE(reader.next(line));
  EXPECT_EQ(line, "");
  EXPECT_EQ(reader.line_number(), 4);
}

TEST(LineReader, TellsHowFarThroughTheFileItIsPlainOrGzip) {
  TempDir dir;
  // Pseudo-random hex, so that even compressed it spans several of the reader's 1 MiB chunks.
  std::string text;
  uint64_t state = 1;
  for (int i = 0; i < 300000; ++i) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    char hex[20];
    std::snprintf(hex, sizeof hex, "%016llx\n", static_cast<unsigned long long>(state));
    text += hex;
  }
  for (const std::string& path : {dir.write("big.txt", text), dir.write_gzip("big.gz", text)}) {
    LineReader reader(path);
    std::string line;
    // By the lines returned, not by what the reader has buffered ahead of them.
    for (int i = 0; i < 100000; ++i) ASSERT_TRUE(reader.next(line));
    EXPECT_NEAR(reader.fraction_read().value(), 1.0 / 3.0, 0.01) << path;
    while (reader.next(line)) {
    }
    EXPECT_EQ(reader.line_number(), 300000);
    EXPECT_DOUBLE_EQ(reader.fraction_read().value(), 1.0) << path;
  }
}

TEST(LineReader, EmptyFilesHaveNoLinesAndNoKnownProgress) {
  TempDir dir;
  LineReader reader(dir.write("empty.txt", ""));
  EXPECT_TRUE(all_lines(reader).empty());
  EXPECT_FALSE(reader.fraction_read().has_value());
}

// gzip files joined end to end (cat a.gz b.gz) are one gzip file, as gzip -d reads them.
TEST(LineReader, ReadsEveryMemberOfAJoinedGzipFile) {
  TempDir dir;
  const std::string first = testing::read_bytes(dir.write_gzip("a.gz", "one\ntwo\n"));
  const std::string second = testing::read_bytes(dir.write_gzip("b.gz", "three\n"));
  LineReader reader(dir.write("joined.gz", first + second));
  EXPECT_EQ(all_lines(reader), (std::vector<std::string>{"one", "two", "three"}));
}

TEST(ChunkReader, DataAfterTheGzipStreamIsAnError) {
  TempDir dir;
  const std::string gzip = testing::read_bytes(dir.write_gzip("a.gz", "one\n"));
  const std::string path = dir.write("trailing.gz", gzip + "not gzip");
  LineReader reader(path);
  EXPECT_EQ(error_of([&] { all_lines(reader); }),
            "cannot read '" + path + "': unexpected data after the end of the gzip stream");
}

TEST(ChunkReader, DamagedGzipIsAnErrorNamingTheFile) {
  TempDir dir;
  std::string gzip = testing::read_bytes(dir.write_gzip("a.gz", std::string(5000, 'a') + "\n"));
  gzip[12] = char(0xFF);  // inside the deflate data
  const std::string path = dir.write("damaged.gz", gzip);
  LineReader reader(path);
  const std::string message = error_of([&] { all_lines(reader); });
  EXPECT_EQ(message.rfind("cannot read '" + path + "': damaged gzip stream (", 0), 0u) << message;
}

TEST(ChunkReader, ErrorsNameTheInput) {
  TempDir dir;
  const std::string missing = dir.file("missing.gz");
  EXPECT_EQ(error_of([&] { ChunkReader reader(missing); }), "cannot read '" + missing + "': No such file or directory");
  const std::string folder = dir.path().string();
  EXPECT_EQ(error_of([&] { ChunkReader(folder).read(); }), "cannot read '" + folder + "': Is a directory");
  EXPECT_EQ(ChunkReader(std::string(kStandardInput)).name(), "standard input");
}

}  // namespace
}  // namespace tfm::io
