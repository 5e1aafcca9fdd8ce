#include "demo/demo.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <vector>

#include "app/attention_maps.h"
#include "app/model_directory.h"
#include "decode/translator.h"
#include "demo/number_words.h"
#include "io/atomic_file.h"
#include "io/model_config.h"
#include "tensor/random.h"
#include "train/trainer.h"
#include "viz/attention_heatmap.h"

namespace tfm::demo {

namespace fs = std::filesystem;

namespace {

// A model small enough to learn the task in minutes on two cores. 320 pieces are enough
// for SentencePiece to keep every German number below a hundred whole ("vierundzwanzig"),
// so a translation is a few pieces long; with fewer, half of them fall apart into letters
// and one wrong letter spoils a number.
io::ModelConfig demo_config() {
  io::ModelConfig c = io::ModelConfig::preset("S");
  c.vocab_size = 320;
  c.d_model = 128;
  c.nhead = 4;
  c.dim_feedforward = 512;
  c.num_encoder_layers = 2;
  c.num_decoder_layers = 2;
  c.dropout = c.attention_dropout = c.activation_dropout = 0.05;
  c.norm_first = c.encoder_final_norm = c.decoder_final_norm = true;
  c.max_positions = 128;
  return c;
}

void write_lines(const fs::path& path, const std::vector<int>& numbers, std::string (*spell)(int)) {
  std::string text;
  for (int n : numbers) text += spell(n) + "\n";
  io::write_file_atomically(path, text);
}

}  // namespace

DemoResult run_demo(const DemoOptions& o, std::ostream& out) {
  fs::create_directories(o.workdir);
  // Held-out numbers are disjoint from the training ones: exact match measures generalisation.
  SplitMix64 rng(o.seed);
  std::set<int> seen;
  auto draw = [&](int count) {
    std::vector<int> numbers;
    while (int(numbers.size()) < count) {
      // One in ten below 1000, so that the short forms are there too (the test set, drawn
      // first, takes its share of the only 1000 of them).
      const int n = rng.next() % 10 ? int(rng.next() % 1'000'000) : int(rng.next() % 1'000);
      if (seen.insert(n).second) numbers.push_back(n);
    }
    return numbers;
  };
  const std::vector<int> test = draw(o.test_pairs), valid = draw(200), train = draw(o.train_pairs);
  const fs::path data = o.workdir / "data";
  fs::create_directories(data);
  write_lines(data / "train.en", train, english_number);
  write_lines(data / "train.de", train, german_number);
  write_lines(data / "valid.en", valid, english_number);
  write_lines(data / "valid.de", valid, german_number);
  write_lines(data / "test.en", test, english_number);
  write_lines(data / "test.de", test, german_number);
  const fs::path config_path = o.workdir / "demo-config.json";
  demo_config().save(config_path);
  out << "task: English number words -> German number words (" << train.size() << " training pairs, " << test.size()
      << " held-out test pairs, in " << data.string() << ")" << std::endl;

  const fs::path model_dir = o.workdir / "model";
  fs::remove_all(model_dir);  // the demo always starts afresh
  train::TrainerOptions t;
  t.train_src = data / "train.en";
  t.train_tgt = data / "train.de";
  t.valid_src = data / "valid.en";
  t.valid_tgt = data / "valid.de";
  t.model_dir = model_dir;
  t.config = config_path.string();
  t.batch_tokens = 4096;
  // A fixed number of steps, not minutes: the same model on every machine, and a learning
  // rate that decays to zero at the last step.
  t.max_steps = o.steps;
  t.lr_decay = train::LrDecay::linear;
  t.seed = o.seed;
  t.warmup_steps = std::min<int64_t>(400, o.steps / 4);
  t.lr_factor = 0.5;
  t.valid_every = 1'000'000;  // once, at the end: the model the demo evaluates is the last one
  t.log_every = 50;
  train::train(t, out);

  app::ModelDirectory m = app::load_model_directory(model_dir);
  std::vector<std::string> sources;
  for (int n : test) sources.push_back(english_number(n));
  decode::TranslateOptions options;
  options.search.beam_size = o.beam;
  const auto translations = decode::Translator(*m.model, m.tokenizer).translate(sources, options);
  DemoResult result;
  result.total = int(test.size());
  for (size_t i = 0; i < test.size(); ++i) {
    const std::string& got = translations[i].front().text;
    const bool correct = got == german_number(test[i]);
    result.correct += correct;
    if (i < 8) out << "  " << sources[i] << "\n    -> " << got << (correct ? "" : "   (expected " + german_number(test[i]) + ")") << "\n";
  }
  // What the model looks at: the first test sentence's encoder-decoder attention.
  const std::vector<int> first = m.tokenizer.encode(sources.front());
  const app::SentenceAttention attention = app::extract_attention(
      *m.model, std::vector<int32_t>(first.begin(), first.end()), translations.front().front().tokens);
  const fs::path svg = o.workdir / "attention.svg";
  io::write_file_atomically(svg, viz::render_attention_heatmaps(app::attention_figure(attention, m.tokenizer, false)));
  out << "attention of the first example: " << svg.string() << "\n";
  char line[96];
  std::snprintf(line, sizeof line, "exact match: %.1f%% (%d/%d)", 100.0 * result.exact_match(), result.correct,
                result.total);
  out << line << std::endl;
  return result;
}

}  // namespace tfm::demo
