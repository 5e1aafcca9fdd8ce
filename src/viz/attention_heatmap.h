#pragma once
// Attention weights drawn as heatmaps in one standalone SVG: a grid of panels (typically one
// row per layer: its heads, then their average), each a cell per weight coloured by viridis,
// target pieces down the left, source pieces rotated along the top, a shared colour bar, and
// a hover tooltip "target → source: 0.734" on every cell.
#include <string>
#include <vector>

namespace tfm::viz {

struct AttentionPanel {
  std::string title;                       // e.g. "layer 2, head 3" or "layer 2, average"
  std::vector<std::string> row_labels;     // target pieces (the queries)
  std::vector<std::string> column_labels;  // source pieces, or target pieces for self-attention
  std::vector<float> weights;              // [rows, columns] row-major, each in [0, 1]
};

struct AttentionFigure {
  std::string title;
  std::vector<std::vector<AttentionPanel>> panel_rows;  // drawn top to bottom, left to right
};

// Cells shrink as labels grow in number; labels longer than 14 characters are shortened with
// "…". Throws std::invalid_argument naming the panel when it has no labels, its weight count
// is not rows x columns, or a weight is not in [0, 1] (up to 1e-3 of rounding, then clamped).
std::string render_attention_heatmaps(const AttentionFigure& figure);

}  // namespace tfm::viz
