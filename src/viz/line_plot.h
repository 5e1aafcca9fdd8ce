#pragma once
// Line plots of training curves (loss vs step, BLEU vs step) as standalone SVG: curves on
// shared axes with 1-2-5 ticks, optional logarithmic y, a legend and distinct colours
// (Okabe-Ito, then dashed once the colours run out).
#include <span>
#include <string>
#include <vector>

#include "viz/svg.h"

namespace tfm::viz {

struct Curve {
  std::string name;
  std::vector<Point> points;  // in drawing order; non-finite points are left out
};

struct LinePlot {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Curve> curves;
  bool log_y = false;  // every finite y must then be > 0
};

// Several plots stacked vertically in one SVG, with their plot areas aligned so that shared
// x values line up. Throws std::invalid_argument when a log-y plot has a y <= 0.
std::string render_line_plots(std::span<const LinePlot> plots);

inline std::string render_line_plot(const LinePlot& plot) { return render_line_plots({&plot, 1}); }

}  // namespace tfm::viz
