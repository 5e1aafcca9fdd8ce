// The trainer end to end on tiny generated tasks: it learns, resumes exactly, and refuses
// bad starts without touching what is on disk.
#include "train/trainer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/model_directory.h"
#include "decode/translator.h"
#include "demo/number_words.h"
#include "io/model_config.h"
#include "support/files.h"
#include "support/temp_dir.h"
#include "support/tiny_task.h"
#include "train/checkpoint.h"

namespace tfm::train {
namespace {

namespace fs = std::filesystem;
using testing::TinyTask;

TEST(Trainer, TinyModelLearnsTheTaskExactly) {
  TinyTask task(100, 0.0);  // memorising: dropout would only slow it down
  TrainerOptions o = task.options("model");
  // 500 steps were just enough for the default seed, and not with every rounding of the
  // softmax: "zero" came out as "nul" rather than "null". 1000 give a margin.
  o.max_steps = 1000;
  o.valid_every = 1000;
  std::ostringstream log;
  train(o, log);
  app::ModelDirectory m = app::load_model_directory(o.model_dir);
  decode::TranslateOptions options;
  options.search.beam_size = 1;
  const auto out = decode::Translator(*m.model, m.tokenizer).translate(task.english, options);
  int correct = 0;
  for (size_t i = 0; i < out.size(); ++i) correct += out[i].front().text == task.german[i];
  EXPECT_EQ(correct, int(out.size())) << log.str();
}

// The train-loss lines of metrics.jsonl without timing fields.
std::vector<std::string> losses(const fs::path& metrics) {
  std::vector<std::string> out;
  std::ifstream in(metrics);
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    if (j["type"] == "train") out.push_back(j["loss"].dump() + "@" + j["step"].dump());
  }
  return out;
}

TEST(Trainer, ResumedRunEqualsUninterruptedRun) {
  TinyTask task(100, 0.1);  // dropout on: its masks must replay too
  TrainerOptions straight = task.options("straight");
  straight.max_steps = 12;
  straight.valid_every = 4;
  std::ostringstream log;
  train(straight, log);

  // The interrupted run: it got to step 10, but was killed before checkpoint 10 was taken,
  // so its directory names checkpoint 8 as the latest.
  TrainerOptions interrupted = task.options("interrupted");
  interrupted.max_steps = 10;
  interrupted.valid_every = 4;
  interrupted.keep_checkpoints = 3;
  train(interrupted, log);
  fs::remove_all(interrupted.model_dir / "checkpoints" / "step-000000010");
  std::ofstream(interrupted.model_dir / "checkpoints" / "latest") << "step-000000008\n";

  TrainerOptions resumed = interrupted;
  resumed.max_steps = 12;
  resumed.resume = true;
  train(resumed, log);

  const auto final_straight = testing::read_bytes(straight.model_dir / "checkpoints" / "step-000000012" / "model.safetensors");
  const auto final_resumed = testing::read_bytes(resumed.model_dir / "checkpoints" / "step-000000012" / "model.safetensors");
  ASSERT_FALSE(final_straight.empty());
  EXPECT_TRUE(final_straight == final_resumed) << "final weights differ";
  EXPECT_EQ(testing::read_bytes(straight.model_dir / "checkpoints" / "step-000000012" / "optimizer.safetensors"),
            testing::read_bytes(resumed.model_dir / "checkpoints" / "step-000000012" / "optimizer.safetensors"));
  EXPECT_EQ(losses(straight.model_dir / "metrics.jsonl"), losses(resumed.model_dir / "metrics.jsonl"));
  EXPECT_EQ(losses(straight.model_dir / "metrics.jsonl").size(), 12u);
}

TEST(Trainer, RefusesToOverwriteAModelAndLeavesItIntact) {
  TinyTask task(100, 0.1);
  TrainerOptions o = task.options("model");
  o.max_steps = 2;
  o.valid_every = 2;
  std::ostringstream log;
  train(o, log);
  const std::string before = testing::read_bytes(o.model_dir / "model.safetensors");
  try {
    train(o, log);
    FAIL() << "a second fresh run into the same directory must fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--resume"), std::string::npos) << e.what();
  }
  EXPECT_EQ(testing::read_bytes(o.model_dir / "model.safetensors"), before);
}

TEST(Trainer, MismatchedLineCountsNameBothFiles) {
  TinyTask task(100, 0.1);
  TrainerOptions o = task.options("model");
  o.train_tgt = task.dir.write("short.de", "eins\nzwei\n");
  try {
    std::ostringstream log;
    train(o, log);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("train.en"), std::string::npos) << what;
    EXPECT_NE(what.find("short.de"), std::string::npos) << what;
    EXPECT_NE(what.find("100"), std::string::npos) << what;
  }
  EXPECT_FALSE(fs::exists(o.model_dir));
}

TEST(Trainer, LinearDecayNeedsMaxStepsBeyondTheWarmUp) {
  TinyTask task(100, 0.1);
  TrainerOptions o = task.options("model");
  o.lr_decay = LrDecay::linear;
  o.max_steps = o.warmup_steps;
  std::ostringstream log;
  EXPECT_THROW(train(o, log), std::runtime_error);
  EXPECT_FALSE(fs::exists(o.model_dir));
}

TEST(Trainer, DivergenceStopsAndKeepsTheLastGoodCheckpoint) {
  TinyTask task(100, 0.0);
  TrainerOptions o = task.options("model");
  // A learning rate near float's range: the first update makes the weights so large that the
  // second step's products overflow.
  o.lr_factor = 1e30;
  o.warmup_steps = 1;
  o.valid_every = 1;
  o.max_steps = 10;
  std::ostringstream log;
  try {
    train(o, log);
    FAIL() << "expected the run to stop on a non-finite loss";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("non-finite loss at step 2"), std::string::npos) << what;
    EXPECT_NE(what.find("checkpoint (step 1)"), std::string::npos) << what;
  }
  EXPECT_EQ(testing::read_bytes(o.model_dir / "checkpoints" / "latest"), "step-000000001\n");
  EXPECT_TRUE(fs::exists(o.model_dir / "checkpoints" / "step-000000001" / "model.safetensors"));
}

}  // namespace
}  // namespace tfm::train
