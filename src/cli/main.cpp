// tfm: train, run, evaluate and inspect encoder-decoder Transformers.
#include <malloc.h>

#include <exception>
#include <iostream>

#include "cli/commands.h"

namespace {

// oneDNN allocates and frees its packing buffers (up to 16 MB) in every matrix product,
// from every thread. glibc then raises its mmap threshold to the largest block freed, and
// the workspaces and decoder caches we free between batches stay in its heaps as
// fragments: translating test_2016 peaked anywhere from 142 to 337 MB from one run to the
// next. Fixed thresholds keep oneDNN's buffers in the heap (no page faults per product)
// and give larger blocks back to the system: 119-139 MB, at the same speed.
void fix_allocator_thresholds() {
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  fix_allocator_thresholds();
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
  tfm::cli::add_serve_command(app);
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
