// `tfm plot`: a model directory's training curves as an SVG.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "app/training_curves.h"
#include "cli/commands.h"
#include "io/atomic_file.h"

namespace tfm::cli {

namespace {

struct PlotCommandOptions {
  std::string model_dir;
  std::string out;  // empty: DIR/curves.svg
};

void run_plot(const PlotCommandOptions& o) {
  const std::filesystem::path dir = o.model_dir;
  const std::filesystem::path out = o.out.empty() ? dir / "curves.svg" : std::filesystem::path(o.out);
  io::write_file_atomically(out, app::render_training_curves(dir / "metrics.jsonl"));
  std::cout << "training curves written to " << out.string() << '\n';
}

}  // namespace

void add_plot_command(CLI::App& app) {
  auto o = std::make_shared<PlotCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "plot", "Draw a model directory's training and validation loss and validation BLEU against step (SVG)");
  cmd->add_option("--model", o->model_dir, "Model directory (reads its metrics.jsonl)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--out", o->out, "SVG file to write (default: DIR/curves.svg)");
  cmd->callback([o] { run_plot(*o); });
}

}  // namespace tfm::cli
