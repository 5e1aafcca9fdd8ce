// `tfm demo`: the built-in task, end to end.
#include <iostream>

#include "cli/commands.h"
#include "demo/demo.h"
#include "kernels/matmul.h"

namespace tfm::cli {

void add_demo_command(CLI::App& app) {
  auto o = std::make_shared<demo::DemoOptions>();
  o->workdir = "tfm-demo";
  auto threads = std::make_shared<int>(0);
  CLI::App* cmd = app.add_subcommand(
      "demo", "Generate an English->German number-words task, train a small model on it, report exact match");
  cmd->add_option("--workdir", o->workdir, "Where the data and the model go")->capture_default_str();
  cmd->add_option("--steps", o->steps, "Training steps (batches of 4096 tokens)")
      ->check(CLI::Range(int64_t{8}, int64_t{1} << 40))
      ->capture_default_str();
  cmd->add_option("--train-pairs", o->train_pairs, "Generated training pairs")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed")->capture_default_str();
  cmd->add_option("--beam", o->beam, "Beam size for the test translations")->capture_default_str();
  cmd->add_option("--threads", *threads, "Threads (default: all cores)")->check(CLI::NonNegativeNumber);
  cmd->callback([o, threads] {
    kernels::set_num_threads(*threads);
    demo::run_demo(*o, std::cout);
  });
}

}  // namespace tfm::cli
