#include "train/recipe.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tfm::train {
namespace {

// Multi30k with config S: 29,000 pairs in about 140 steps of 4,096 tokens, 30 minutes.
TEST(Recipe, ASmallCorpusInThirtyMinutesGetsAShortWarmUpACappedPeakAndThePapersDecay) {
  const Recipe r = choose_recipe({}, {140, 256});
  EXPECT_EQ(r.warmup_steps, 400);  // 3 epochs, in round hundreds
  EXPECT_NEAR(r.lr_factor * std::pow(256.0 * 400.0, -0.5), 1e-3, 1e-12);  // the peak, capped
  EXPECT_EQ(r.lr_decay, LrDecay::inverse_sqrt);
  EXPECT_EQ(r.valid_every, 300);   // 2 epochs
  EXPECT_EQ(r.keep_checkpoints, 5);
  EXPECT_EQ(r.ema_decay, 0.99);
  EXPECT_EQ(r.explained["warmup_steps"]["why"], "3 epochs of 140 steps, at most the paper's 4000");
  EXPECT_EQ(r.explained.size(), 7u);
}

// A corpus of millions of pairs with config B and no time limit: the paper's recipe.
TEST(Recipe, ALargeCorpusGetsThePapersRecipe) {
  const Recipe r = choose_recipe({}, {30000, 512});
  EXPECT_EQ(r.warmup_steps, 4000);
  EXPECT_EQ(r.lr_factor, 1.0);  // the paper's peak, 7e-4, is under the cap
  EXPECT_EQ(r.lr_decay, LrDecay::inverse_sqrt);
  EXPECT_EQ(r.valid_every, 1000);
}

// Multi30k repeated 4 times (about 540 steps an epoch) in 30 minutes that allow ~1,660 steps:
// three epochs would be nearly the whole run; a quarter of it instead.
TEST(Recipe, ATimeLimitedRunWarmsUpForAtMostAQuarterOfTheStepsItsTimeAllows) {
  RecipeInputs in{540, 256};
  EXPECT_EQ(choose_recipe({}, in).warmup_steps, 1600);  // the speed not known yet: 3 epochs
  in.expected_steps = 1660;
  const Recipe r = choose_recipe({}, in);
  EXPECT_EQ(r.warmup_steps, 400);  // 415, in round hundreds
  EXPECT_NEAR(r.lr_factor * std::pow(256.0 * 400.0, -0.5), 1e-3, 1e-12);  // the peak follows
  EXPECT_EQ(r.explained["warmup_steps"]["why"], "a quarter of the 1660 steps the time limit allows at this speed");
  in.steps_per_epoch = 135;  // Multi30k itself: 3 epochs are already under a quarter
  EXPECT_EQ(choose_recipe({}, in).warmup_steps, 400);
  RecipeRequest given;
  given.warmup_steps = 1500;
  EXPECT_EQ(choose_recipe(given, in).warmup_steps, 1500);
}

TEST(Recipe, ATinyCorpusStillWarmsUpAndValidatesInRoundHundreds) {
  const Recipe r = choose_recipe({}, {3, 64});
  EXPECT_EQ(r.warmup_steps, 100);
  EXPECT_EQ(r.valid_every, 100);
}

TEST(Recipe, GivenSettingsAreKeptAndSaidToBeGiven) {
  RecipeRequest given;
  given.warmup_steps = 123;
  given.lr_factor = 2.0;
  given.lr_decay = LrDecay::linear;
  given.valid_every = 7;
  given.keep_checkpoints = 1;
  given.matmul_precision = kernels::Precision::float32;
  given.ema_decay = 0;
  const Recipe r = choose_recipe(given, {140, 256, 0, true});
  EXPECT_EQ(r.warmup_steps, 123);
  EXPECT_EQ(r.lr_factor, 2.0);
  EXPECT_EQ(r.lr_decay, LrDecay::linear);
  EXPECT_EQ(r.valid_every, 7);
  EXPECT_EQ(r.keep_checkpoints, 1);
  EXPECT_EQ(r.matmul_precision, kernels::Precision::float32);
  EXPECT_EQ(r.ema_decay, 0.0);
  EXPECT_EQ(r.explained["ema_decay"]["why"], "given: no moving average");
  for (const auto& [name, choice] : r.explained.items())
    EXPECT_EQ(choice["why"].get<std::string>().substr(0, 5), "given") << name;
}

TEST(Recipe, ProductsAreInBfloat16OnlyWhereTheCpuMultipliesItNatively) {
  RecipeInputs in{140, 256};
  EXPECT_EQ(choose_recipe({}, in).matmul_precision, kernels::Precision::float32);
  in.bfloat16_native = true;
  const Recipe r = choose_recipe({}, in);
  EXPECT_EQ(r.matmul_precision, kernels::Precision::bfloat16);
  EXPECT_EQ(r.explained["matmul_precision"]["value"], "bfloat16");
}

TEST(Recipe, PrecisionNamesRoundTrip) {
  for (kernels::Precision p : {kernels::Precision::float32, kernels::Precision::bfloat16})
    EXPECT_EQ(parse_precision(precision_name(p)), p);
  EXPECT_EQ(parse_precision("float16"), std::nullopt);
}

TEST(Recipe, DecayNamesRoundTrip) {
  for (LrDecay d : {LrDecay::inverse_sqrt, LrDecay::linear, LrDecay::inverse_sqrt_to_zero})
    EXPECT_EQ(parse_lr_decay(lr_decay_name(d)), d);
  EXPECT_EQ(parse_lr_decay("cosine"), std::nullopt);
}

}  // namespace
}  // namespace tfm::train
