#pragma once
// Training curves of a model directory as one SVG, for `tfm plot`: training and validation
// loss against step (log y, where the late small improvements stay visible), and below it
// validation BLEU against step when the run validated.
#include <filesystem>
#include <string>
#include <vector>

#include "train/metrics_log.h"
#include "viz/line_plot.h"

namespace tfm::app {

std::vector<viz::LinePlot> training_curves(const train::MetricsLog& log);

// Reads metrics.jsonl (train/metrics_log.h) and renders its curves. Throws io::FormatError
// naming the file when it is malformed or holds no records yet.
std::string render_training_curves(const std::filesystem::path& metrics_path);

}  // namespace tfm::app
