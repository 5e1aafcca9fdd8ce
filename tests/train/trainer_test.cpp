// The trainer end to end on tiny generated tasks: it learns, resumes exactly, and refuses
// bad starts without touching what is on disk.
#include "train/trainer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/model_directory.h"
#include "decode/translator.h"
#include "demo/number_words.h"
#include "io/format_error.h"
#include "io/model_config.h"
#include "kernels/matmul.h"
#include "io/safetensors.h"
#include "support/files.h"
#include "support/temp_dir.h"
#include "support/tiny_task.h"
#include "train/checkpoint.h"
#include "train/checkpoint_average.h"
#include "train/recipe.h"

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
  // so its directory names checkpoint 8 as the latest, and its log has steps 9 and 10.
  TrainerOptions interrupted = task.options("interrupted");
  interrupted.max_steps = 8;
  interrupted.valid_every = 4;
  interrupted.keep_checkpoints = 3;
  train(interrupted, log);
  std::ofstream(interrupted.model_dir / "metrics.jsonl", std::ios::app)
      << R"({"type":"train","step":9,"loss":1.0})" "\n" R"({"type":"train","step":10,"loss":1.0})" "\n";

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

// The paper's final model (§6.1): at the end the means of the last 2 to --keep-checkpoints
// checkpoints are validated, and the best of them becomes the model when it validates better
// than the best single checkpoint; the weights file says which it holds. Older checkpoints
// keep their weights but not their optimizer state.
TEST(Trainer, TheBestMeanOfTheLastCheckpointsBecomesTheModelOnlyWhenItValidatesBetter) {
  TinyTask task(100, 0.1);
  TrainerOptions o = task.options("model");
  o.valid_src = task.src;
  o.valid_tgt = task.tgt;
  o.max_steps = 40;
  o.valid_every = 10;
  o.keep_checkpoints = 3;
  std::ostringstream log;
  const TrainSummary summary = train(o, log);

  const fs::path checkpoints = o.model_dir / "checkpoints";
  for (const char* name : {"step-000000020", "step-000000030", "step-000000040"})
    ASSERT_TRUE(fs::exists(checkpoints / name / "model.safetensors")) << name;
  EXPECT_FALSE(fs::exists(checkpoints / "step-000000010"));
  EXPECT_FALSE(fs::exists(checkpoints / "step-000000030" / "optimizer.safetensors"));
  EXPECT_TRUE(fs::exists(checkpoints / "step-000000040" / "optimizer.safetensors"));
  EXPECT_FALSE(fs::exists(average_candidate_path(o.model_dir)));

  // The best single checkpoint by the trainer's rule (BLEU, then loss), and the averages.
  double best_bleu = -1, best_loss = 0;
  int64_t best_step = 0;
  std::vector<nlohmann::json> averages;
  std::istringstream metrics(testing::read_bytes(o.model_dir / "metrics.jsonl"));
  for (std::string line; std::getline(metrics, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j["type"] == "valid" && (j["bleu"].get<double>() > best_bleu ||
                                 (j["bleu"].get<double>() == best_bleu && j["loss"].get<double>() < best_loss))) {
      best_bleu = j["bleu"];
      best_loss = j["loss"];
      best_step = j["step"];
    }
    if (j["type"] == "average") averages.push_back(j);
  }
  ASSERT_EQ(averages.size(), 2u) << log.str();
  EXPECT_EQ(averages[0]["steps"], nlohmann::json({30, 40}));
  EXPECT_EQ(averages[1]["steps"], nlohmann::json({20, 30, 40}));
  // The one kept: the first with the highest BLEU, if that beats the best single checkpoint.
  std::optional<size_t> kept;
  for (size_t i = 0; i < averages.size(); ++i)
    if (averages[i]["bleu"].get<double>() > (kept ? averages[*kept]["bleu"].get<double>() : best_bleu)) kept = i;
  for (size_t i = 0; i < averages.size(); ++i) EXPECT_EQ(averages[i]["kept"], kept == i) << i;
  EXPECT_EQ(summary.averaged, kept.has_value());
  const io::Metadata held = io::SafetensorsReader(o.model_dir / "model.safetensors").metadata();
  if (kept) {
    const int count = int(averages[*kept]["steps"].size());
    const fs::path expected = task.dir.path() / "expected.safetensors";
    average_weight_files(last_checkpoint_weights(o.model_dir, count), expected, held);
    EXPECT_TRUE(testing::read_bytes(expected) == testing::read_bytes(o.model_dir / "model.safetensors"));
    EXPECT_DOUBLE_EQ(summary.best_bleu, averages[*kept]["bleu"].get<double>());
  } else {
    EXPECT_EQ(held.at("checkpoint"), checkpoint_name(best_step));
    EXPECT_DOUBLE_EQ(summary.best_bleu, best_bleu);
  }
  EXPECT_NE(log.str().find("average of the last 3 checkpoints"), std::string::npos) << log.str();
}

// Products in bfloat16 learn as float32 ones do: the same task, the same batches, losses
// within a few per cent of each other, and not the same numbers (the rounding is in effect).
TEST(Trainer, BfloatProductsTrainLikeFloat32Ones) {
  if (!kernels::bfloat16_is_native()) GTEST_SKIP() << "this CPU has no AVX512_BF16: tfm trains in float32 here";
  TinyTask task(100, 0.1);
  std::vector<double> final_loss;
  for (const auto precision : {kernels::Precision::float32, kernels::Precision::bfloat16}) {
    TrainerOptions o = task.options(precision == kernels::Precision::float32 ? "float32" : "bfloat16");
    o.matmul_precision = precision;
    o.max_steps = 300;
    o.valid_every = 300;
    std::ostringstream log;
    train(o, log);
    std::ifstream metrics(o.model_dir / "metrics.jsonl");
    std::string line, last;
    while (std::getline(metrics, line))
      if (nlohmann::json::parse(line)["type"] == "train") last = line;
    final_loss.push_back(nlohmann::json::parse(last)["loss"].get<double>());
    const auto settings = nlohmann::json::parse(testing::read_bytes(o.model_dir / "training.json"));
    EXPECT_EQ(settings["matmul_precision"]["value"], precision_name(precision));
  }
  EXPECT_LT(final_loss[0], 1.5) << "float32 did not learn the task";
  EXPECT_NEAR(final_loss[1], final_loss[0], 0.05 * final_loss[0]);
  EXPECT_NE(final_loss[1], final_loss[0]);
}

// --dropout replaces the configuration's residual dropout (not attention's or activation's),
// says so in config.json and training.json, and is in effect: the same run without it (the
// configuration's 0) learns differently; a resumed run may change it.
TEST(Trainer, DropoutOptionReplacesTheConfigurationsAndIsInEffect) {
  TinyTask task(100, 0.0);
  std::vector<std::string> last_losses;
  for (const std::optional<double> dropout : {std::optional<double>(), std::optional<double>(0.3)}) {
    TrainerOptions o = task.options(dropout ? "given" : "configured");
    o.dropout = dropout;
    o.max_steps = 3;
    std::ostringstream log;
    train(o, log);
    last_losses.push_back(losses(o.model_dir / "metrics.jsonl").back());
    const io::ModelConfig config = io::ModelConfig::load(o.model_dir / "config.json");
    EXPECT_EQ(config.dropout, dropout.value_or(0.0));
    EXPECT_EQ(config.attention_dropout, 0.0);
    EXPECT_EQ(config.activation_dropout, 0.0);
    const auto settings = nlohmann::json::parse(testing::read_bytes(o.model_dir / "training.json"));
    EXPECT_EQ(settings["dropout"]["value"].get<double>(), dropout.value_or(0.0));
    EXPECT_EQ(settings["dropout"]["why"], dropout ? "given" : "the model configuration's");
    EXPECT_NE(log.str().find(dropout ? "recipe: dropout 0.3: given" : "recipe: dropout 0.0: the model configuration's"),
              std::string::npos)
        << log.str();
  }
  EXPECT_NE(last_losses[0], last_losses[1]);

  TrainerOptions resumed = task.options("given");
  resumed.resume = true;
  resumed.max_steps = 4;
  resumed.dropout = 0.1;
  std::ostringstream log;
  train(resumed, log);
  EXPECT_EQ(io::ModelConfig::load(resumed.model_dir / "config.json").dropout, 0.1);
}

// --ema-decay: the moving average of the weights, over every step, is what validates and
// becomes the model (its header says so), while training goes on from the weights themselves
// (checked against a checkpoint of every step); a resumed run carries the average on exactly,
// and a run resumed from a checkpoint without one starts it there.
TEST(Trainer, MovingAverageOfTheWeightsBecomesTheModelAndResumesExactly) {
  TinyTask task(100, 0.1);
  TrainerOptions straight = task.options("straight");
  straight.ema_decay = 0.5;
  straight.warmup_steps = 6;  // a rate that moves the weights well beyond rounding in six steps
  straight.max_steps = 6;
  straight.valid_every = 1;
  straight.keep_checkpoints = 6;
  std::ostringstream log;
  train(straight, log);
  EXPECT_NE(log.str().find("recipe: ema_decay 0.5: given"), std::string::npos) << log.str();

  const fs::path checkpoints = straight.model_dir / "checkpoints";
  std::map<std::string, std::vector<double>> expected;
  for (int64_t step = 1; step <= 6; ++step) {
    const io::SafetensorsReader weights(checkpoints / checkpoint_name(step) / "model.safetensors");
    const double weight = std::max(0.5, 10.0 / double(step + 9));
    for (const io::TensorInfo& t : weights.tensors()) {
      const std::vector<float> w = weights.read_float32(t.name);
      std::vector<double>& e = expected[t.name];
      e.resize(w.size());
      for (size_t i = 0; i < w.size(); ++i) e[i] += weight * (w[i] - e[i]);
    }
  }
  const io::SafetensorsReader model(straight.model_dir / "model.safetensors");
  EXPECT_EQ(model.metadata().at("checkpoint"), checkpoint_name(6));
  EXPECT_EQ(model.metadata().at("ema_decay"), "0.5");
  const io::SafetensorsReader last_weights(checkpoints / checkpoint_name(6) / "model.safetensors");
  double largest_step_difference = 0;
  for (const auto& [name, e] : expected) {
    const std::vector<float> held = model.read_float32(name), last = last_weights.read_float32(name);
    for (size_t i = 0; i < e.size(); ++i) {
      ASSERT_NEAR(held[i], e[i], 1e-6 + 1e-6 * std::abs(e[i])) << name << "[" << i << "]";
      largest_step_difference = std::max(largest_step_difference, double(std::abs(held[i] - last[i])));
    }
  }
  EXPECT_GT(largest_step_difference, 1e-4) << "the model holds the last weights, not their average";

  TrainerOptions interrupted = straight;
  interrupted.model_dir = task.dir.path() / "interrupted";
  interrupted.max_steps = 3;
  train(interrupted, log);
  TrainerOptions resumed = interrupted;
  resumed.max_steps = 6;
  resumed.resume = true;
  train(resumed, log);
  for (const fs::path file : {"model.safetensors", "checkpoints/step-000000006/optimizer.safetensors"})
    EXPECT_TRUE(testing::read_bytes(straight.model_dir / file) == testing::read_bytes(resumed.model_dir / file)) << file;

  TrainerOptions without = task.options("without");
  without.ema_decay = 0;
  without.max_steps = 3;
  train(without, log);
  without.resume = true;
  without.max_steps = 4;
  without.ema_decay = 0.5;
  std::ostringstream resumed_log;
  train(without, resumed_log);
  EXPECT_NE(resumed_log.str().find("holds no moving average of the weights: it starts at step 3"), std::string::npos)
      << resumed_log.str();
  EXPECT_EQ(io::SafetensorsReader(without.model_dir / "model.safetensors").metadata().at("ema_decay"), "0.5");

  // A damaged count of updates is named, with its file, and the run goes no further.
  const fs::path optimizer = checkpoints / checkpoint_name(6) / "optimizer.safetensors";
  {
    const io::SafetensorsReader reader(optimizer);
    std::vector<std::vector<float>> values;
    std::vector<io::TensorToWrite> tensors;
    for (const io::TensorInfo& t : reader.tensors()) values.push_back(reader.read_float32(t.name));
    for (size_t i = 0; i < values.size(); ++i)
      tensors.push_back({reader.tensors()[i].name, io::Dtype::F32, reader.tensors()[i].shape, values[i].data()});
    io::Metadata metadata = reader.metadata();
    metadata["moving_average_updates"] = "six";
    io::write_safetensors(optimizer, tensors, metadata);
  }
  straight.resume = true;
  straight.max_steps = 7;
  try {
    train(straight, log);
    FAIL() << "resumed from a damaged checkpoint";
  } catch (const io::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(optimizer.string() + ": metadata \"moving_average_updates\" is not a number"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(testing::read_bytes(checkpoints / "latest"), "step-000000006\n");
}

// Early stopping: --patience N stops the run after N validations in a row without a better
// score, and a run resumed after that stops at once instead of training on.
TEST(Trainer, PatienceStopsAfterValidationsWithoutABetterScoreAndAResumedRunStaysStopped) {
  TinyTask task(100, 0.0);
  TrainerOptions o = task.options("model");
  o.valid_src = task.src;
  o.valid_tgt = task.tgt;
  o.lr_factor = 0.0;  // the weights never change, so only the first validation is better
  o.valid_every = 2;
  o.max_steps = 100;
  o.patience = 2;
  std::ostringstream log;
  const TrainSummary summary = train(o, log);
  EXPECT_EQ(summary.steps, 6) << log.str();
  EXPECT_EQ(summary.best_step, 2);
  EXPECT_EQ(summary.stop_reason, "no better validation BLEU in 2 evaluations");
  EXPECT_EQ(testing::read_bytes(o.model_dir / "checkpoints" / "latest"), "step-000000006\n");
  const std::string metrics = testing::read_bytes(o.model_dir / "metrics.jsonl");

  TrainerOptions resumed = o;
  resumed.resume = true;
  std::ostringstream resumed_log;
  const TrainSummary again = train(resumed, resumed_log);
  EXPECT_EQ(again.steps, 6) << resumed_log.str();
  EXPECT_EQ(again.stop_reason, summary.stop_reason);
  EXPECT_EQ(testing::read_bytes(o.model_dir / "checkpoints" / "latest"), "step-000000006\n");
  // The same log: the means of the checkpoints were validated again, and replace their records.
  EXPECT_EQ(testing::read_bytes(o.model_dir / "metrics.jsonl"), metrics);

  // A larger patience lets the resumed run go on, to its new limit.
  resumed.patience = 4;
  EXPECT_EQ(train(resumed, resumed_log).steps, 10) << resumed_log.str();
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
  o.max_steps = *o.warmup_steps;
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
