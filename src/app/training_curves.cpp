#include "app/training_curves.h"

#include "io/format_error.h"

namespace tfm::app {

std::vector<viz::LinePlot> training_curves(const train::MetricsLog& log) {
  viz::Curve train_loss{"training loss", {}}, valid_loss{"validation loss", {}}, valid_bleu{"validation BLEU", {}};
  for (const train::TrainRecord& r : log.train) train_loss.points.push_back({double(r.step), r.loss});
  for (const train::ValidRecord& r : log.valid) {
    valid_loss.points.push_back({double(r.step), r.loss});
    valid_bleu.points.push_back({double(r.step), r.bleu});
  }
  std::vector<viz::LinePlot> plots;
  plots.push_back({"Loss", "step", "cross-entropy per target token (nats)", {train_loss, valid_loss}, true});
  if (!log.valid.empty()) plots.push_back({"Validation BLEU", "step", "BLEU", {valid_bleu}, false});
  return plots;
}

std::string render_training_curves(const std::filesystem::path& metrics_path) {
  const train::MetricsLog log = train::read_metrics_log(metrics_path);
  if (log.train.empty() && log.valid.empty())
    throw io::FormatError(metrics_path.string() + " holds no training or validation records yet");
  return viz::render_line_plots(training_curves(log));
}

}  // namespace tfm::app
