// Reading hypothesis and reference files the way sacreBLEU's command line does.
#include "text/segments.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/error_message.h"
#include "support/temp_dir.h"

namespace tfm::text {
namespace {

std::string error_of(std::string_view bytes) {
  return tfm::testing::error_of([&] { split_segments(bytes, "hyp.txt"); });
}

TEST(Segments, SplitsOnNewlineOnlyAndRstrips) {
  const Segments s = split_segments("a b \r\nc\u2028d\re\u0085\n\n  f\u00a0\x1c\ng", "hyp.txt");
  EXPECT_EQ(s.source, "hyp.txt");
  ASSERT_EQ(s.lines.size(), 5u);
  EXPECT_EQ(s.lines[0], "a b");            // "\r\n" endings lose the "\r"
  EXPECT_EQ(s.lines[1], "c\u2028d\re");    // U+2028 and "\r" do not break lines; U+0085 is stripped
  EXPECT_EQ(s.lines[2], "");
  EXPECT_EQ(s.lines[3], "  f");            // leading whitespace stays
  EXPECT_EQ(s.lines[4], "g");              // a final line without "\n" counts
}

TEST(Segments, FinalEmptyLineAndEmptyFile) {
  EXPECT_EQ(split_segments("a\n\n", "t").lines, (std::vector<std::string>{"a", ""}));
  EXPECT_TRUE(split_segments("", "t").lines.empty());
  EXPECT_EQ(split_segments("\n", "t").lines, (std::vector<std::string>{""}));
}

TEST(Segments, InvalidUtf8NamesFileAndLine) {
  const std::string message = error_of("ok\nstill ok\nbad \xff byte\n");
  EXPECT_EQ(message, "hyp.txt: line 3, byte 5: invalid UTF-8 (0xFF: invalid start byte)");
  EXPECT_NE(error_of("\xed\xa0\x80").find("line 1"), std::string::npos);  // a surrogate
}

TEST(Segments, ReadsPlainAndGzipFiles) {
  const std::string text = "Ein Hund.\nZwei Katzen\u00a0\n";
  tfm::testing::TempDir dir;
  const std::string plain = dir.write("plain.txt", text);
  const std::string gz = dir.write_gzip("compressed.gz", text);
  const std::vector<std::string> expected = {"Ein Hund.", "Zwei Katzen"};
  EXPECT_EQ(read_segments_file(plain).lines, expected);
  EXPECT_EQ(read_segments_file(gz).lines, expected);
  std::istringstream in(text);
  EXPECT_EQ(read_segments_stream(in, "<stdin>").lines, expected);
}

TEST(Segments, MissingFileIsAnErrorNamingIt) {
  try {
    read_segments_file("/nonexistent/ref.de");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/ref.de"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tfm::text
