#pragma once
// One function per subcommand: each adds its options and its action to the app.
#include <CLI/CLI.hpp>

namespace tfm::cli {

void add_bench_command(CLI::App& app);
void add_bleu_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_translate_command(CLI::App& app);
void add_score_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_attention_command(CLI::App& app);
void add_plot_command(CLI::App& app);
void add_average_command(CLI::App& app);
void add_serve_command(CLI::App& app);

}  // namespace tfm::cli
