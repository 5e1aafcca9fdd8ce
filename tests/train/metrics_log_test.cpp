#include "train/metrics_log.h"

#include <gtest/gtest.h>

#include <string>

#include "io/format_error.h"
#include "support/temp_dir.h"

namespace tfm::train {
namespace {

using tfm::testing::TempDir;

// Lines as `tfm train` writes them, plus a record type this reader does not know.
const std::string kLog =
    R"({"type":"train","step":100,"epoch":0,"elapsed":12.5,"loss":6.25,"ppl":518.0,"lr":0.0001,"tgt_tok_per_s":9000.0})"
    "\n"
    R"({"type":"train","step":200,"epoch":0,"elapsed":25.0,"loss":5.5,"ppl":244.7,"lr":0.0002,"tgt_tok_per_s":9100.0})"
    "\n"
    R"({"type":"valid","step":200,"epoch":0,"elapsed":30.0,"loss":5.75,"ppl":314.2,"bleu":1.5})"
    "\n"
    R"({"type":"test","step":200,"bleu":2.0})"
    "\n"
    "\n"
    R"({"type":"train","step":300,"epoch":1,"elapsed":40.0,"loss":4,"ppl":54.6,"lr":0.0003,"tgt_tok_per_s":9000.0})"
    "\n";

std::string error_of(const std::string& path) {
  try {
    read_metrics_log(path);
  } catch (const io::FormatError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(MetricsLog, ReadsTrainAndValidRecordsInOrder) {
  TempDir dir;
  const MetricsLog log = read_metrics_log(dir.write("metrics.jsonl", kLog));
  ASSERT_EQ(log.train.size(), 3u);
  EXPECT_EQ(log.train[0].step, 100);
  EXPECT_EQ(log.train[0].loss, 6.25);
  EXPECT_EQ(log.train[1].step, 200);
  EXPECT_EQ(log.train[2].step, 300);
  EXPECT_EQ(log.train[2].loss, 4.0);  // an integer is a number too
  ASSERT_EQ(log.valid.size(), 1u);
  EXPECT_EQ(log.valid[0].step, 200);
  EXPECT_EQ(log.valid[0].loss, 5.75);
  EXPECT_EQ(log.valid[0].bleu, 1.5);
}

TEST(MetricsLog, EmptyFileHasNoRecords) {
  TempDir dir;
  const MetricsLog log = read_metrics_log(dir.write("metrics.jsonl", ""));
  EXPECT_TRUE(log.train.empty());
  EXPECT_TRUE(log.valid.empty());
}

TEST(MetricsLog, BadJsonNamesFileAndLine) {
  TempDir dir;
  // Line 3 was cut short, as by a crash in the middle of a write.
  const std::string path = dir.write("metrics.jsonl", kLog.substr(0, kLog.find("\"bleu\"")) + "\n");
  const std::string message = error_of(path);
  EXPECT_EQ(message.rfind(path + ":3: not valid JSON: ", 0), 0u) << message;
}

// The JSON parser reports a number beyond a double as out_of_range (found by fuzzing
// config.json, which the same parser reads).
TEST(MetricsLog, NumberBeyondADoubleNamesFileAndLine) {
  TempDir dir;
  const std::string path = dir.write("metrics.jsonl", "\n{\"type\":\"train\",\"step\":1e999}\n");
  const std::string message = error_of(path);
  EXPECT_EQ(message.rfind(path + ":2: not valid JSON: ", 0), 0u) << message;
}

TEST(MetricsLog, LineNumbersCountEmptyLines) {
  TempDir dir;
  const std::string path = dir.write("metrics.jsonl", kLog + "{oops\n");
  EXPECT_EQ(error_of(path).rfind(path + ":7: not valid JSON", 0), 0u) << error_of(path);
}

TEST(MetricsLog, MissingOrMistypedFieldsNameLineAndField) {
  TempDir dir;
  const std::string ok = R"({"type":"train","step":1,"loss":2.0})"
                         "\n";
  struct Case {
    std::string line, expected;
  };
  const Case cases[] = {
      {R"([1, 2])", ":2: expected a JSON object, got array"},
      {R"({"step":1,"loss":2.0})", ":2: field \"type\" is missing"},
      {R"({"type":7,"step":1,"loss":2.0})", ":2: field \"type\": expected a string, got number 7"},
      {R"({"type":"train","loss":2.0})", ":2: field \"step\" is missing"},
      {R"({"type":"train","step":1.5,"loss":2.0})", ":2: field \"step\": expected an integer, got number 1.5"},
      {R"({"type":"valid","step":1,"loss":"2","bleu":3})", ":2: field \"loss\": expected a number, got string \"2\""},
      {R"({"type":"valid","step":1,"loss":2.0})", ":2: field \"bleu\" is missing"},
      {R"({"type":"valid","step":1,"loss":2.0,"bleu":null})", ":2: field \"bleu\": expected a number, got null null"},
  };
  for (const Case& c : cases) {
    const std::string path = dir.write("metrics.jsonl", ok + c.line + "\n");
    EXPECT_EQ(error_of(path), path + c.expected);
  }
}

TEST(MetricsLog, MissingFileIsNamed) {
  TempDir dir;
  EXPECT_EQ(error_of(dir.file("metrics.jsonl")), "cannot read " + dir.file("metrics.jsonl"));
}

}  // namespace
}  // namespace tfm::train
