// `tfm average`: the mean of the last N checkpoints' weights, as the paper's final models.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "train/checkpoint.h"
#include "train/checkpoint_average.h"

namespace tfm::cli {

namespace {

struct AverageCommandOptions {
  std::string model_dir;
  int last = 5;      // paper §6.1
  std::string out;   // empty: DIR/model.safetensors
};

void run_average(const AverageCommandOptions& o) {
  const std::filesystem::path dir = o.model_dir;
  const std::filesystem::path out = o.out.empty() ? dir / "model.safetensors" : std::filesystem::path(o.out);
  const std::vector<int64_t> steps = train::average_last_checkpoints(dir, o.last, out);
  std::cout << "averaged";
  for (int64_t step : steps) std::cout << ' ' << train::checkpoint_name(step);
  std::cout << " into " << out.string() << '\n';
}

}  // namespace

void add_average_command(CLI::App& app) {
  auto o = std::make_shared<AverageCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "average", "Average the weights of a model directory's last N checkpoints (paper §6.1), element-wise");
  cmd->add_option("--model", o->model_dir, "Model directory (reads DIR/checkpoints)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--last", o->last, "Checkpoints to average, the newest ones")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--out", o->out, "Weights file to write (default: DIR/model.safetensors)");
  cmd->callback([o] { run_average(*o); });
}

}  // namespace tfm::cli
