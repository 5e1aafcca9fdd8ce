#include "cli/commands.h"

namespace tfm::cli {

void add_bench_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("bench", "Measure training and inference speed on a fixed synthetic batch");
  cmd->callback([] {});
}

}  // namespace tfm::cli
