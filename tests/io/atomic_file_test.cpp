#include "io/atomic_file.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "support/error_message.h"
#include "support/files.h"
#include "support/temp_dir.h"

namespace tfm::io {
namespace {

using tfm::testing::expect_mentions;
using tfm::testing::read_bytes;
using tfm::testing::TempDir;

TEST(AtomicFile, WritesANewFileAndNothingElse) {
  TempDir dir;
  write_file_atomically(dir / "a.json", "hello");
  EXPECT_EQ(read_bytes(dir / "a.json"), "hello");
  EXPECT_EQ(dir.listing(), std::vector<std::string>{"a.json"});
}

TEST(AtomicFile, ReplacesAnExistingFile) {
  TempDir dir;
  write_file_atomically(dir / "a", "old contents, longer than the new");
  write_file_atomically(dir / "a", "new");
  EXPECT_EQ(read_bytes(dir / "a"), "new");
  EXPECT_EQ(dir.listing(), std::vector<std::string>{"a"});
}

TEST(AtomicFile, MixedSmallAndLargeWritesKeepTheirOrder) {
  // Blocks below and above the internal buffer's size, so both write paths interleave.
  TempDir dir;
  std::string expected;
  {
    AtomicFile file(dir / "big");
    for (int i = 0; i < 6; ++i) {
      const std::size_t size = (i % 2 == 0) ? 1000 + i : (std::size_t{3} << 19) + i;
      const std::string block(size, static_cast<char>('a' + i));
      file.write(block);
      expected += block;
    }
    file.commit();
  }
  EXPECT_EQ(read_bytes(dir / "big"), expected);
}

TEST(AtomicFile, WriterThrowingHalfWayLeavesTheOldFileAndNoTemporary) {
  TempDir dir;
  write_file_atomically(dir / "model.safetensors", "old");
  EXPECT_THROW(
      {
        AtomicFile file(dir / "model.safetensors");
        file.write(std::string(5 << 20, 'x'));  // large enough to reach the disk
        EXPECT_TRUE(std::filesystem::exists(file.temp_path()));
        throw std::runtime_error("writer failed");
      },
      std::runtime_error);
  EXPECT_EQ(read_bytes(dir / "model.safetensors"), "old");
  EXPECT_EQ(dir.listing(), std::vector<std::string>{"model.safetensors"});
}

TEST(AtomicFile, TemporaryIsBesideTheTarget) {
  TempDir dir;
  AtomicFile file(dir / "config.json");
  EXPECT_EQ(file.temp_path().parent_path(), dir.path());
  EXPECT_EQ(file.temp_path().filename().string().rfind("config.json.tmp-", 0), 0u);
}

TEST(AtomicFile, FailedRenameRemovesTheTemporaryAndNamesTheFile) {
  TempDir dir;
  std::filesystem::create_directories(dir / "occupied" / "child");  // rename cannot replace it
  try {
    write_file_atomically(dir / "occupied", "data");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    expect_mentions(e.what(), {(dir / "occupied").string(), "renaming"});
  }
  EXPECT_EQ(dir.listing(), std::vector<std::string>{"occupied"});
}

TEST(AtomicFile, MissingDirectoryIsAnErrorNamingTheFile) {
  TempDir dir;
  try {
    write_file_atomically(dir / "no-such-dir" / "a", "data");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    expect_mentions(e.what(), {(dir / "no-such-dir" / "a").string()});
  }
}

}  // namespace
}  // namespace tfm::io
