// One holder at a time, released with its holder; the message names who holds it.
#include "io/directory_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>

#include "support/error_message.h"
#include "support/temp_dir.h"

namespace tfm::io {
namespace {

TEST(DirectoryLock, SecondClaimFailsNamingTheHolderUntilTheFirstIsReleased) {
  testing::TempDir dir;
  std::optional<DirectoryLock> first(dir.path());
  // flock(2) locks belong to an open file, so a second claim conflicts even from this process.
  testing::expect_mentions(testing::error_of([&] { DirectoryLock second(dir.path()); }),
                           {dir.path().string(), "in use", "pid " + std::to_string(::getpid()),
                            DirectoryLock::lock_file(dir.path()).string()});
  first.reset();
  EXPECT_NO_THROW(DirectoryLock again(dir.path()));
}

TEST(DirectoryLock, MissingDirectoryIsNamed) {
  testing::TempDir dir;
  testing::expect_mentions(testing::error_of([&] { DirectoryLock lock(dir / "absent"); }),
                           {(dir / "absent" / "lock").string(), "No such file"});
}

}  // namespace
}  // namespace tfm::io
