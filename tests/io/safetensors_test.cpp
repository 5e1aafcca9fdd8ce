#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "support/error_message.h"
#include "support/files.h"
#include "support/temp_dir.h"

namespace tfm::io {
namespace {

using tfm::testing::expect_mentions;
using tfm::testing::read_bytes;
using tfm::testing::TempDir;
using tfm::testing::write_bytes;

// A file worked out by hand from the format's specification, so that reader and writer are
// checked against the spec rather than against each other. Header (139 bytes of JSON):
//   {"__metadata__":{"format":"pt"},                              32 bytes
//   "w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},         53 bytes
//   "n":{"dtype":"I32","shape":[1],"data_offsets":[8,12]}}        54 bytes
// padded with 5 spaces to 144 = 0x90, a multiple of 8. Data: w = {1.0f, -2.5f}, n = {-7}.
const std::string kHandBuiltFile = std::string(
    "\x90\x00\x00\x00\x00\x00\x00\x00"
    R"({"__metadata__":{"format":"pt"},)"
    R"("w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
    R"("n":{"dtype":"I32","shape":[1],"data_offsets":[8,12]}})"
    "     "
    "\x00\x00\x80\x3f"   // 1.0f  = 0x3f800000
    "\x00\x00\x20\xc0"   // -2.5f = 0xc0200000
    "\xf9\xff\xff\xff",  // -7
    8 + 144 + 12);

TEST(Safetensors, ReadsAFileBuiltByHand) {
  TempDir dir;
  write_bytes(dir / "hand.safetensors", kHandBuiltFile);
  const SafetensorsReader file(dir / "hand.safetensors");
  ASSERT_EQ(file.tensors().size(), 2u);
  const TensorInfo& w = file.tensors()[0];  // data order
  EXPECT_EQ(w.name, "w");
  EXPECT_EQ(w.dtype, Dtype::F32);
  EXPECT_EQ(w.shape, std::vector<int64_t>{2});
  EXPECT_EQ(file.tensors()[1].name, "n");
  EXPECT_EQ(file.tensors()[1].dtype, Dtype::I32);
  EXPECT_EQ(file.read_float32("w"), (std::vector<float>{1.0f, -2.5f}));
  EXPECT_EQ(file.read_int64("n"), std::vector<int64_t>{-7});
  EXPECT_EQ(file.metadata(), (Metadata{{"format", "pt"}}));
}

TEST(Safetensors, WriterReproducesTheHandBuiltFileByteForByte) {
  TempDir dir;
  const float w[] = {1.0f, -2.5f};
  const int32_t n[] = {-7};
  write_safetensors(dir / "ours.safetensors",
                    {{"w", Dtype::F32, {2}, w}, {"n", Dtype::I32, {1}, n}}, {{"format", "pt"}});
  EXPECT_EQ(read_bytes(dir / "ours.safetensors"), kHandBuiltFile);
}

TEST(Safetensors, RoundTripsEveryKindOfTensor) {
  TempDir dir;
  const std::vector<float> matrix = {1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, -7.0f};
  const std::vector<int64_t> longs = {std::numeric_limits<int64_t>::min(), -1, int64_t{1} << 40};
  const std::vector<int32_t> ints = {-5, 6};
  const std::vector<double> doubles = {0.1, -1e10};
  const std::vector<uint16_t> halves = {0x3c00, 0xc000};   // 1, -2
  const std::vector<uint16_t> bfloats = {0x3f80, 0x4049};  // 1, 3.140625
  const float scalar = 42.0f;
  write_safetensors(dir / "all.safetensors",
                    {{"matrix", Dtype::F32, {2, 3}, matrix.data()},
                     {"odd", Dtype::F32, {1}, &scalar},  // leaves the next tensor 4-aligned
                     {"longs", Dtype::I64, {3}, longs.data()},
                     {"ints", Dtype::I32, {2}, ints.data()},
                     {"doubles", Dtype::F64, {2}, doubles.data()},
                     {"halves", Dtype::F16, {2}, halves.data()},
                     {"bfloats", Dtype::BF16, {2}, bfloats.data()},
                     {"empty", Dtype::F32, {0, 5}, nullptr},
                     {"scalar", Dtype::F32, {}, &scalar}},
                    {{"step", "12"}, {"note", "round trip"}});

  const std::string bytes = read_bytes(dir / "all.safetensors");
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]) % 8, 0) << "data section must start 8-aligned";

  const SafetensorsReader file(dir / "all.safetensors");
  std::vector<std::string> names;
  for (const TensorInfo& t : file.tensors()) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"matrix", "odd", "longs", "ints", "doubles", "halves",
                                             "bfloats", "empty", "scalar"}));
  EXPECT_EQ(file.find("matrix")->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(file.find("empty")->shape, (std::vector<int64_t>{0, 5}));
  EXPECT_TRUE(file.find("scalar")->shape.empty());
  EXPECT_EQ(file.find("nothing"), nullptr);

  EXPECT_EQ(file.read_float32("matrix"), matrix);
  EXPECT_EQ(file.read_int64("longs"), longs);
  EXPECT_EQ(file.read_int64("ints"), (std::vector<int64_t>{-5, 6}));
  EXPECT_EQ(file.read_float32("doubles"), (std::vector<float>{0.1f, -1e10f}));
  EXPECT_EQ(file.read_float32("halves"), (std::vector<float>{1.0f, -2.0f}));
  EXPECT_EQ(file.read_float32("bfloats"), (std::vector<float>{1.0f, 3.140625f}));
  EXPECT_TRUE(file.read_float32("empty").empty());
  EXPECT_EQ(file.read_float32("scalar"), std::vector<float>{42.0f});
  EXPECT_EQ(file.metadata(), (Metadata{{"note", "round trip"}, {"step", "12"}}));
}

TEST(Safetensors, ReadingTheWrongDtypeNamesFileAndTensor) {
  TempDir dir;
  const std::string path = (dir / "hand.safetensors").string();
  write_bytes(path, kHandBuiltFile);
  const SafetensorsReader file(path);
  try {
    file.read_float32("n");
    FAIL() << "I32 read as float32";
  } catch (const FormatError& e) {
    expect_mentions(e.what(), {path, "\"n\"", "I32", "float32"});
  }
  try {
    file.read_int64("w");
    FAIL() << "F32 read as int64";
  } catch (const FormatError& e) {
    expect_mentions(e.what(), {path, "\"w\"", "F32", "int64"});
  }
  try {
    file.read_float32("missing");
    FAIL() << "absent tensor read";
  } catch (const FormatError& e) {
    expect_mentions(e.what(), {path, "\"missing\""});
  }
}

TEST(Safetensors, WriterRefusesDuplicateAndReservedNames) {
  TempDir dir;
  const float x = 1.0f;
  EXPECT_THROW(
      write_safetensors(dir / "a", {{"x", Dtype::F32, {1}, &x}, {"x", Dtype::F32, {1}, &x}}),
      std::invalid_argument);
  EXPECT_THROW(write_safetensors(dir / "a", {{"__metadata__", Dtype::F32, {1}, &x}}),
               std::invalid_argument);
  EXPECT_TRUE(dir.listing().empty());
}

// A file with the given header text and data bytes, the header length encoded little-endian.
std::string file_with(const std::string& header, const std::string& data, uint64_t header_length) {
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes += static_cast<char>((header_length >> (8 * i)) & 0xff);
  return bytes + header + data;
}
std::string file_with(const std::string& header, const std::string& data = "") {
  return file_with(header, data, header.size());
}

struct BadFile {
  const char* what;
  std::string bytes;
  std::vector<std::string> mentions;  // besides the path
};

TEST(Safetensors, EveryMalformedFileIsAFormatErrorNamingFileAndTensor) {
  const std::string four(4, '\0'), eight(8, '\0'), twelve(12, '\0');
  const std::vector<BadFile> cases = {
      {"shorter than the length field", "\x01\x02\x03", {"3 bytes long"}},
      {"header length beyond the file",
       file_with("{}", "", 100),
       {"header length 100 exceeds the 2 bytes"}},
      {"absurd header length", file_with("{}", "", uint64_t{1} << 40), {"larger than the limit"}},
      {"header not JSON", file_with(R"({"w": )"), {"not valid JSON"}},
      // Found by fuzzing config.json (fuzz/model_config_fuzzer.cpp), which the same parser
      // reads: it reports a number beyond a double as out_of_range, not as a parse error.
      {"number beyond a double", file_with(R"({"w": 1e999})"), {"not valid JSON", "number overflow"}},
      {"header not UTF-8", file_with("{\"\xff\":{}}"), {"not valid JSON"}},
      {"header not an object", file_with("[1, 2]"), {"header is a JSON array, expected an object"}},
      {"entry not an object", file_with(R"({"w": 5})"), {"tensor \"w\"", "expected an object"}},
      {"unknown dtype",
       file_with(R"({"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}})", four),
       {"tensor \"w\"", "unknown dtype \"F33\""}},
      {"dtype not a string",
       file_with(R"({"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}})", four),
       {"tensor \"w\"", "dtype is 4"}},
      {"missing key",
       file_with(R"({"w":{"dtype":"F32","shape":[1]}})"),
       {"tensor \"w\"", "missing key \"data_offsets\""}},
      {"unknown key",
       file_with(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"offset":0}})", four),
       {"tensor \"w\"", "unknown key \"offset\""}},
      {"negative dimension",
       file_with(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", four),
       {"tensor \"w\"", "shape is [-1], expected a list of non-negative integers"}},
      {"shape too large",
       file_with(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})",
                 four),
       {"tensor \"w\"", "too large"}},
      {"size disagrees with offsets",
       file_with(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", four),
       {"tensor \"w\"", "needs 8 bytes", "hold 4"}},
      {"dtype size disagrees with offsets",
       file_with(R"({"w":{"dtype":"F64","shape":[1],"data_offsets":[0,4]}})", four),
       {"tensor \"w\"", "of F64 needs 8 bytes"}},
      {"offsets not a pair",
       file_with(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", four),
       {"tensor \"w\"", "expected [begin, end]"}},
      {"offsets backwards",
       file_with(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}})", four),
       {"tensor \"w\"", "run backwards"}},
      {"offsets past the data",
       file_with(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", four),
       {"tensor \"w\"", "reach past the end of the data section (4 bytes)"}},
      {"overlapping tensors",
       file_with(
           R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
           twelve),
       {"tensor \"b\"", "overlap tensor \"a\""}},
      {"gap between tensors",
       file_with(
           R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
           twelve),
       {"bytes [4, 8)", "before tensor \"b\"", "belong to no tensor"}},
      {"uncovered tail",
       file_with(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", eight),
       {"bytes [4, 8) at the end", "belong to no tensor"}},
      {"data without tensors", file_with("{}", four), {"bytes [0, 4)"}},
      {"metadata not strings",
       file_with(R"({"__metadata__":{"step":5}})"),
       {"\"__metadata__\" entry \"step\" is 5, expected a string"}},
  };
  TempDir dir;
  for (const BadFile& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string path = (dir / "bad.safetensors").string();
    write_bytes(path, c.bytes);
    try {
      SafetensorsReader file(path);
      ADD_FAILURE() << "accepted a file with " << c.what;
    } catch (const FormatError& e) {
      expect_mentions(e.what(), {path});
      for (const std::string& m : c.mentions) expect_mentions(e.what(), {m});
    }
  }
}

TEST(Safetensors, AcceptsWhatTheSpecAllows) {
  // No metadata, null metadata, trailing spaces in the header, zero-size tensors, empty file.
  TempDir dir;
  const std::vector<std::string> good = {
      file_with("{}"),
      file_with(R"({"__metadata__":null})"),
      file_with(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}   )",
                std::string(4, '\0')),
      file_with(
          R"({"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})",
          std::string(1, '\0')),
  };
  for (const std::string& bytes : good) {
    write_bytes(dir / "good.safetensors", bytes);
    EXPECT_NO_THROW(SafetensorsReader(dir / "good.safetensors")) << bytes.substr(8);
  }
}

TEST(Safetensors, MissingFileIsAnErrorNamingIt) {
  TempDir dir;
  try {
    SafetensorsReader file(dir / "absent.safetensors");
    FAIL();
  } catch (const std::runtime_error& e) {
    expect_mentions(e.what(), {(dir / "absent.safetensors").string()});
  }
}

}  // namespace
}  // namespace tfm::io
