// tfm: train, run, evaluate and inspect encoder-decoder Transformers.
#include <exception>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"tfm: the Transformer (Vaswani et al., 2017) for sequence-to-sequence tasks"};
  app.require_subcommand(1);
  tfm::cli::add_bench_command(app);
  tfm::cli::add_bleu_command(app);
  tfm::cli::add_train_command(app);
  tfm::cli::add_translate_command(app);
  tfm::cli::add_score_command(app);
  tfm::cli::add_demo_command(app);
  tfm::cli::add_attention_command(app);
  tfm::cli::add_plot_command(app);
  tfm::cli::add_average_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "tfm: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
