#pragma once
// `tfm demo`: generates the number-words task (demo/number_words.h), trains a small model on
// it with the same trainer `tfm train` uses, and reports exact-match accuracy on held-out
// numbers the model never saw.
#include <cstdint>
#include <filesystem>
#include <ostream>

namespace tfm::demo {

struct DemoOptions {
  std::filesystem::path workdir;  // data and model go here
  int64_t steps = 1500;           // training steps: about 2 minutes on two cores
  int train_pairs = 50'000;
  int test_pairs = 500;
  uint64_t seed = 1;
  int beam = 4;
};

struct DemoResult {
  int correct = 0;
  int total = 0;
  double exact_match() const { return total ? double(correct) / total : 0.0; }
};

DemoResult run_demo(const DemoOptions& options, std::ostream& out);

}  // namespace tfm::demo
