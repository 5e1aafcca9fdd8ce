#include "io/finite_check.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "io/format_error.h"
#include "support/error_message.h"

namespace tfm::io {
namespace {

using tfm::testing::expect_mentions;

TEST(FiniteCheck, FiniteValuesPass) {
  const std::vector<float> values = {0.0f, -1.0f, std::numeric_limits<float>::max(),
                                     std::numeric_limits<float>::denorm_min()};
  EXPECT_NO_THROW(require_finite(values, {4}, "m.safetensors", "w"));
  EXPECT_NO_THROW(require_finite({}, {0, 3}, "m.safetensors", "empty"));
}

TEST(FiniteCheck, NamesFileTensorAndFirstBadElement) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  struct Case {
    std::vector<float> values;
    std::vector<std::string> mentions;
  };
  const std::vector<Case> cases = {
      {{0, 1, 2, 3, 4, inf}, {"element [1, 2]", "flat index 5", "is inf"}},
      {{0, -inf, 2, 3, 4, nan}, {"element [0, 1]", "flat index 1", "is -inf"}},
      {{nan, 1, 2, 3, 4, 5}, {"element [0, 0]", "flat index 0", "is nan"}},
  };
  for (const Case& c : cases) {
    try {
      require_finite(c.values, {2, 3}, "model/model.safetensors", "generator.bias");
      ADD_FAILURE() << "accepted " << c.mentions[0];
    } catch (const FormatError& e) {
      expect_mentions(e.what(), {"model/model.safetensors", "\"generator.bias\""});
      for (const std::string& m : c.mentions) expect_mentions(e.what(), {m});
    }
  }
}

}  // namespace
}  // namespace tfm::io
