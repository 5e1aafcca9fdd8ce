// Bad inputs a user can give the commands that docs/robustness.md lists and no other test
// covers: a model directory whose SentencePiece model comes from another vocabulary, odd
// translate input lines, bad command-line values.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "app/model_directory.h"
#include "decode/translator.h"
#include "support/error_message.h"
#include "support/tfm_process.h"
#include "support/tiny_task.h"

namespace tfm::app {
namespace {

namespace fs = std::filesystem;
using testing::TinyTask;

// A trained tiny model directory (two steps: the weights do not matter here).
fs::path train_tiny(const TinyTask& task, const std::string& name, int vocab_size) {
  train::TrainerOptions o = task.options(name);
  o.max_steps = 2;
  o.vocab_size = vocab_size;
  std::ostringstream log;
  train::train(o, log);
  return o.model_dir;
}

TEST(BadInput, ModelFromAnotherVocabularyIsNamed) {
  TinyTask task(100, 0.1);
  const fs::path model = train_tiny(task, "model", 90);
  const fs::path other = train_tiny(task, "other", 60);
  fs::copy_file(other / "spm.model", model / "spm.model", fs::copy_options::overwrite_existing);
  testing::expect_mentions(testing::error_of([&] { load_model_directory(model); }),
                           {(model / "spm.model").string(), "60 pieces", (model / "config.json").string(),
                            "vocab_size 90"});
}

TEST(BadInput, EveryTranslateLineGivesOneResult) {
  TinyTask task(100, 0.1);
  ModelDirectory m = load_model_directory(train_tiny(task, "model", 90));
  std::mt19937 rng(7);
  std::string garbage(4096, '\0');
  for (char& c : garbage) c = char(rng() % 128);  // ASCII control bytes and NULs among letters
  const std::vector<std::string> lines = {"", "one two", std::string("one\0two", 7), std::string(200000, 'x'),
                                          "   ", garbage, "three"};
  decode::TranslateOptions options;
  options.search.beam_size = 2;
  size_t truncated = 0;
  decode::Translator::Observer observer;
  observer.truncated = [&](size_t, size_t, size_t) { ++truncated; };
  const auto out = decode::Translator(*m.model, m.tokenizer).translate(lines, options, observer);
  ASSERT_EQ(out.size(), lines.size());
  EXPECT_EQ(out[0].front().text, "");  // an empty line stays empty
  EXPECT_GE(truncated, 2u);            // the 200,000 characters and the garbage are cut, and said so
}

TEST(BadInput, BadCommandLineValuesAreRefusedNamingTheOption) {
  TinyTask task(10, 0.1);
  const auto zero = testing::run_tfm(task.train_arguments("model", {"--batch-tokens", "0"}), task.dir / "log");
  EXPECT_NE(zero.exit_code, 0);
  testing::expect_mentions(zero.output, {"--batch-tokens"});
  const auto word = testing::run_tfm(task.train_arguments("model", {"--max-steps", "many"}), task.dir / "log");
  EXPECT_NE(word.exit_code, 0);
  testing::expect_mentions(word.output, {"--max-steps", "many"});
  const auto missing = testing::run_tfm({"train", "--src", (task.dir / "absent.en").string(), "--tgt",
                                         task.tgt.string(), "--model", (task.dir / "m").string()},
                                        task.dir / "log");
  EXPECT_NE(missing.exit_code, 0);
  testing::expect_mentions(missing.output, {"--src", "absent.en"});
  EXPECT_FALSE(fs::exists(task.dir / "model")) << "a refused run must create nothing";
}

}  // namespace
}  // namespace tfm::app
