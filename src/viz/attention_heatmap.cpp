#include "viz/attention_heatmap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "viz/color_scale.h"
#include "viz/svg.h"
#include "viz/utf8.h"

namespace tfm::viz {

namespace {

constexpr size_t kMaxLabelChars = 14;
constexpr double kWeightTolerance = 1e-3;
constexpr double kMargin = 16.0;
constexpr double kFigureTitleSize = 16.0;
constexpr double kFigureTitleHeight = 36.0;
constexpr double kPanelTitleSize = 12.0;
constexpr double kPanelTitleHeight = 20.0;
constexpr double kPanelGap = 28.0;
constexpr double kColorBarWidth = 14.0;
constexpr double kColorBarHeight = 160.0;
constexpr int kColorBarSteps = 64;

void check_panel(const AttentionPanel& panel) {
  const std::string name = "attention panel '" + panel.title + "'";
  if (panel.row_labels.empty() || panel.column_labels.empty())
    throw std::invalid_argument(name + ": needs at least one row and one column label, got " +
                                std::to_string(panel.row_labels.size()) + " rows and " +
                                std::to_string(panel.column_labels.size()) + " columns");
  const size_t rows = panel.row_labels.size(), columns = panel.column_labels.size();
  if (panel.weights.size() != rows * columns)
    throw std::invalid_argument(name + ": expected " + std::to_string(rows) + " x " + std::to_string(columns) + " = " +
                                std::to_string(rows * columns) + " weights, got " + std::to_string(panel.weights.size()));
  for (size_t i = 0; i < panel.weights.size(); ++i) {
    const float w = panel.weights[i];
    if (!(w >= -kWeightTolerance && w <= 1.0 + kWeightTolerance))
      throw std::invalid_argument(name + ": weight at row " + std::to_string(i / columns) + ", column " +
                                  std::to_string(i % columns) + " is " + std::to_string(w) + ", expected a value in [0, 1]");
  }
}

// One size for every panel, from the largest one, so that the grid lines up.
struct Layout {
  double cell = 0.0;
  double label_size = 0.0;
  double row_label_width = 0.0;     // left of the cells
  double column_label_height = 0.0; // above the cells
  double panel_width = 0.0;
  double panel_height = 0.0;
  size_t panels_per_row = 0;
};

Layout layout_for(const AttentionFigure& figure) {
  size_t rows = 0, columns = 0, row_chars = 0, column_chars = 0;
  double title_width = 0.0;
  Layout layout;
  for (const auto& panel_row : figure.panel_rows) {
    layout.panels_per_row = std::max(layout.panels_per_row, panel_row.size());
    for (const AttentionPanel& panel : panel_row) {
      rows = std::max(rows, panel.row_labels.size());
      columns = std::max(columns, panel.column_labels.size());
      for (const std::string& label : panel.row_labels) row_chars = std::max(row_chars, utf8_length(label));
      for (const std::string& label : panel.column_labels) column_chars = std::max(column_chars, utf8_length(label));
      title_width = std::max(title_width, estimated_text_width(panel.title, kPanelTitleSize));
    }
  }
  // About 360 px for the longer side; cells never so small that a label stops being legible.
  // Whole pixels everywhere: cells on fractional positions show anti-aliased seams.
  layout.cell = std::round(std::clamp(360.0 / double(std::max(rows, columns)), 10.0, 26.0));
  layout.label_size = std::clamp(layout.cell * 0.75, 7.5, 12.0);
  const double char_width = estimated_text_width("x", layout.label_size);
  layout.row_label_width = std::ceil(char_width * double(std::min(row_chars, kMaxLabelChars)) + 6.0);
  layout.column_label_height = std::ceil(char_width * double(std::min(column_chars, kMaxLabelChars)) + 6.0);
  layout.panel_width = std::ceil(std::max(layout.row_label_width + double(columns) * layout.cell, title_width));
  layout.panel_height = kPanelTitleHeight + layout.column_label_height + double(rows) * layout.cell;
  return layout;
}

std::string weight_text(float weight) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", double(weight));
  return buffer;
}

void draw_panel(SvgDocument& svg, const AttentionPanel& panel, const Layout& layout, Point origin) {
  svg.begin_group("panel", panel.title, origin);
  const size_t rows = panel.row_labels.size(), columns = panel.column_labels.size();
  const double grid_left = layout.row_label_width, grid_top = kPanelTitleHeight + layout.column_label_height;

  TextStyle title;
  title.size = kPanelTitleSize;
  title.anchor = Anchor::middle;
  title.bold = true;
  const double title_half_width = estimated_text_width(panel.title, kPanelTitleSize) / 2.0;
  const double grid_middle = grid_left + double(columns) * layout.cell / 2.0;
  svg.text({std::clamp(grid_middle, title_half_width, layout.panel_width - title_half_width), kPanelTitleSize + 2.0},
           panel.title, title);

  TextStyle label;
  label.size = layout.label_size;
  label.centred_vertically = true;
  label.anchor = Anchor::end;
  for (size_t r = 0; r < rows; ++r)
    svg.text({grid_left - 4.0, grid_top + (double(r) + 0.5) * layout.cell},
             truncate_with_ellipsis(panel.row_labels[r], kMaxLabelChars), label);
  label.anchor = Anchor::start;
  label.rotate_degrees = -90.0;
  for (size_t c = 0; c < columns; ++c)
    svg.text({grid_left + (double(c) + 0.5) * layout.cell, grid_top - 4.0},
             truncate_with_ellipsis(panel.column_labels[c], kMaxLabelChars), label);

  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < columns; ++c) {
      float weight = std::clamp(panel.weights[r * columns + c], 0.0f, 1.0f);
      if (weight == 0.0f) weight = 0.0f;  // -0 would read "-0.000"
      svg.rect(grid_left + double(c) * layout.cell, grid_top + double(r) * layout.cell, layout.cell, layout.cell,
               {viridis(weight).hex(), "none", 1.0, ""},
               panel.row_labels[r] + " → " + panel.column_labels[c] + ": " + weight_text(weight));
    }
  }
  svg.rect(grid_left, grid_top, double(columns) * layout.cell, double(rows) * layout.cell, {"none", "#444444", 0.8, ""});
  svg.end_group();
}

// Vertical bar, 1 at the top: the same direction as "more attention" reads on the cells.
void draw_color_bar(SvgDocument& svg, Point origin) {
  svg.begin_group("color-bar", {}, origin);
  const double step = kColorBarHeight / kColorBarSteps;
  for (int i = 0; i < kColorBarSteps; ++i) {
    const double t = 1.0 - (i + 0.5) / kColorBarSteps;
    // Each band overlaps the next by half a pixel so that anti-aliasing leaves no seams.
    svg.rect(0.0, i * step, kColorBarWidth, step + (i + 1 < kColorBarSteps ? 0.5 : 0.0), {viridis(t).hex(), "none", 1.0, ""});
  }
  svg.rect(0.0, 0.0, kColorBarWidth, kColorBarHeight, {"none", "#444444", 0.8, ""});
  TextStyle label;
  label.size = 11.0;
  label.centred_vertically = true;
  const Paint tick{"none", "#444444", 1.0, ""};
  for (const auto& [value, text] : {std::pair{1.0, "1"}, {0.5, "0.5"}, {0.0, "0"}}) {
    const double y = (1.0 - value) * kColorBarHeight;
    svg.line({kColorBarWidth, y}, {kColorBarWidth + 4.0, y}, tick);
    svg.text({kColorBarWidth + 7.0, y}, text, label);
  }
  svg.end_group();
}

}  // namespace

std::string render_attention_heatmaps(const AttentionFigure& figure) {
  size_t panel_count = 0;
  for (const auto& panel_row : figure.panel_rows) {
    for (const AttentionPanel& panel : panel_row) check_panel(panel);
    panel_count += panel_row.size();
  }
  if (panel_count == 0) throw std::invalid_argument("attention figure '" + figure.title + "': no panels to draw");

  const Layout layout = layout_for(figure);
  const double grid_width = double(layout.panels_per_row) * (layout.panel_width + kPanelGap) - kPanelGap;
  const double grid_height = double(figure.panel_rows.size()) * (layout.panel_height + kPanelGap) - kPanelGap;
  const double color_bar_left = kMargin + grid_width + kPanelGap;
  const double width = std::max(color_bar_left + kColorBarWidth + 34.0 + kMargin,
                                2.0 * kMargin + estimated_text_width(figure.title, kFigureTitleSize));
  const double top = kFigureTitleHeight;
  SvgDocument svg(width, top + std::max(grid_height, kColorBarHeight) + kMargin);

  TextStyle title;
  title.size = kFigureTitleSize;
  title.bold = true;
  svg.text({kMargin, 24.0}, figure.title, title);
  for (size_t i = 0; i < figure.panel_rows.size(); ++i)
    for (size_t j = 0; j < figure.panel_rows[i].size(); ++j)
      draw_panel(svg, figure.panel_rows[i][j], layout,
                 {kMargin + double(j) * (layout.panel_width + kPanelGap), top + double(i) * (layout.panel_height + kPanelGap)});
  draw_color_bar(svg, {color_bar_left, top + kPanelTitleHeight + layout.column_label_height});
  return svg.render();
}

}  // namespace tfm::viz
