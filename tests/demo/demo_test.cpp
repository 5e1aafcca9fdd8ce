// `tfm demo` end to end on a short run: what it writes and how it reports. (Its accuracy
// after the full 1,500 steps is a figure for the README, too slow for the suite; the
// trainer's tests show a tiny model learning number words exactly.)
#include "demo/demo.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "support/temp_dir.h"

namespace tfm::demo {
namespace {

TEST(Demo, ShortRunWritesDataModelHeatmapAndReportsExactMatchLast) {
  testing::TempDir dir;
  DemoOptions o;
  o.workdir = dir.path() / "demo";
  o.steps = 8;
  o.train_pairs = 2000;
  o.test_pairs = 20;
  o.beam = 2;
  std::ostringstream out;
  const DemoResult result = run_demo(o, out);
  EXPECT_EQ(result.total, 20);
  for (const char* file : {"data/train.en", "data/test.de", "model/model.safetensors", "model/spm.model",
                           "attention.svg"})
    EXPECT_TRUE(std::filesystem::exists(o.workdir / file)) << file;
  std::string text = out.str(), last;
  text.pop_back();  // the final newline
  last = text.substr(text.rfind('\n') + 1);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(last, m, std::regex(R"(exact match: (\d+\.\d)% \((\d+)/20\))"))) << last;
  EXPECT_EQ(std::stoi(m[2]), result.correct);
}

}  // namespace
}  // namespace tfm::demo
