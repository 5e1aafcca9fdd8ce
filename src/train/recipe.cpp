#include "train/recipe.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <sstream>

namespace tfm::train {

namespace {

// Steps in round hundreds, at least 100: settings a person would write.
int64_t round_steps(double steps) { return std::max<int64_t>(100, std::llround(steps / 100.0) * 100); }

std::string number(double value) {
  std::ostringstream s;
  s << value;
  return s.str();
}

}  // namespace

std::string lr_decay_name(LrDecay decay) {
  switch (decay) {
    case LrDecay::inverse_sqrt: return "inverse-sqrt";
    case LrDecay::linear: return "linear";
    case LrDecay::inverse_sqrt_to_zero: return "inverse-sqrt-to-zero";
  }
  assert(false);
  return "";
}

std::optional<LrDecay> parse_lr_decay(const std::string& name) {
  for (LrDecay d : {LrDecay::inverse_sqrt, LrDecay::linear, LrDecay::inverse_sqrt_to_zero})
    if (lr_decay_name(d) == name) return d;
  return std::nullopt;
}

std::string precision_name(kernels::Precision precision) {
  return precision == kernels::Precision::bfloat16 ? "bfloat16" : "float32";
}

std::optional<kernels::Precision> parse_precision(const std::string& name) {
  for (kernels::Precision p : {kernels::Precision::float32, kernels::Precision::bfloat16})
    if (precision_name(p) == name) return p;
  return std::nullopt;
}

Recipe choose_recipe(const RecipeRequest& request, const RecipeInputs& in) {
  assert(in.steps_per_epoch > 0 && in.d_model > 0);
  Recipe r;
  const std::string epoch = std::to_string(in.steps_per_epoch) + " steps";
  auto explain = [&r](const char* name, const nlohmann::ordered_json& value, const std::string& why) {
    r.explained[name] = {{"value", value}, {"why", why}};
  };

  // Warm-up: three epochs, which on Multi30k (29,000 pairs) is 400 steps, a quarter of a
  // 30-minute run, where six epochs (800) validated 1.6 BLEU lower; on corpora of millions of
  // pairs the paper's 4,000 (docs/training.md); and in a time-limited run at most a quarter of
  // the steps its time allows, so that a large corpus trained briefly still reaches its peak.
  // Apart from that cap and the decay, the rules depend on the data alone: a run resumed with
  // a larger --max-steps goes on exactly as one given that number from the start.
  if (request.warmup_steps) {
    r.warmup_steps = *request.warmup_steps;
    explain("warmup_steps", r.warmup_steps, "given");
  } else if (in.expected_steps > 0 && 3.0 * double(in.steps_per_epoch) > double(in.expected_steps) / 4) {
    r.warmup_steps = round_steps(std::min(double(in.expected_steps) / 4, 4000.0));
    explain("warmup_steps", r.warmup_steps,
            "a quarter of the " + std::to_string(in.expected_steps) + " steps the time limit allows at this speed");
  } else {
    r.warmup_steps = round_steps(std::min(3.0 * double(in.steps_per_epoch), 4000.0));
    explain("warmup_steps", r.warmup_steps, "3 epochs of " + epoch + ", at most the paper's 4000");
  }

  // Peak learning rate: the paper's, (d_model * warmup)^-0.5, but at most 1e-3; a short
  // warm-up on a small model would otherwise peak at 2e-3 and more, where training on
  // Multi30k went worse (docs/training.md).
  const double paper_peak = 1.0 / std::sqrt(double(in.d_model) * double(r.warmup_steps));
  if (request.lr_factor) {
    r.lr_factor = *request.lr_factor;
    explain("lr_factor", r.lr_factor, "given: peak " + number(r.lr_factor * paper_peak));
  } else {
    r.lr_factor = std::min(1.0, 1e-3 / paper_peak);
    explain("lr_factor", r.lr_factor,
            "the paper's peak, " + number(paper_peak) + (r.lr_factor < 1.0 ? ", capped at 1e-3" : ""));
  }

  // Decay: the paper's inverse square root, time limit or not. On Multi30k in 30 minutes a
  // decay to zero when the time runs out validated 1.4 to 2.3 BLEU lower from step 1,200 on
  // (and lower at its end than the paper's decay half-way): it spends the run's second half at
  // a rate too small to learn much (docs/training.md). --lr-decay linear or
  // inverse-sqrt-to-zero still end a run on a small rate.
  if (request.lr_decay) {
    r.lr_decay = *request.lr_decay;
    explain("lr_decay", lr_decay_name(r.lr_decay), "given");
  } else {
    r.lr_decay = LrDecay::inverse_sqrt;
    explain("lr_decay", lr_decay_name(r.lr_decay), "the paper's");
  }

  // Validation and checkpoints every two epochs, at least every 1,000 steps: on small data a
  // run then keeps checkpoints close enough together to average.
  if (request.valid_every) {
    r.valid_every = *request.valid_every;
    explain("valid_every", r.valid_every, "given");
  } else {
    r.valid_every = std::min<int64_t>(round_steps(2.0 * double(in.steps_per_epoch)), 1000);
    explain("valid_every", r.valid_every, "2 epochs of " + epoch + ", at most 1000");
  }

  // The paper's final models average the last 5 checkpoints (§6.1).
  if (request.keep_checkpoints) {
    r.keep_checkpoints = *request.keep_checkpoints;
    explain("keep_checkpoints", r.keep_checkpoints, "given");
  } else {
    r.keep_checkpoints = 5;
    explain("keep_checkpoints", r.keep_checkpoints, "the paper averages the last 5, section 6.1");
  }

  // The linear layers' products in bfloat16 where the CPU multiplies it natively: on Multi30k
  // 30 minutes gave 1.27 times the steps and 1.9 more validation BLEU than float32
  // (docs/training.md). Weights, gradients, Adam and attention stay float32.
  if (request.matmul_precision) {
    r.matmul_precision = *request.matmul_precision;
    explain("matmul_precision", precision_name(r.matmul_precision), "given");
  } else {
    r.matmul_precision = in.bfloat16_native ? kernels::Precision::bfloat16 : kernels::Precision::float32;
    explain("matmul_precision", precision_name(r.matmul_precision),
            in.bfloat16_native ? "the CPU multiplies bfloat16 natively (AVX512_BF16); weights, gradients and Adam stay float32"
                               : "the CPU has no bfloat16 dot products (AVX512_BF16)");
  }

  // A moving average of the weights validates and becomes the model in their place, its decay
  // 0.99 (the last ~100 steps weigh most): on Multi30k it validated 0.7 to 1.2 BLEU above the
  // weights themselves at every checkpoint from step 900 to 2,100, and above the mean of the
  // last checkpoints; 0.995 and 0.998 gained less, or lost (docs/training.md).
  if (request.ema_decay) {
    r.ema_decay = *request.ema_decay;
    explain("ema_decay", r.ema_decay, r.ema_decay > 0 ? "given" : "given: no moving average");
  } else {
    r.ema_decay = 0.99;
    explain("ema_decay", r.ema_decay, "a moving average of the weights over about the last 100 steps");
  }
  return r;
}

}  // namespace tfm::train
