#include "viz/attention_heatmap.h"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "viz/utf8.h"
#include "viz/xml_checker.h"

namespace tfm::viz {
namespace {

using xml_check::XmlElement;

// Two layers of cross-attention over labels with every character XML reserves, two heads and
// their average each; layer 2 has a different shape so that panels are counted separately.
AttentionFigure example_figure() {
  const std::vector<std::string> source = {"▁Ein", "<unk>", "&", "\"Hut'", "▁Donaudampfschifffahrt", "</s>"};
  const std::vector<std::string> target = {"<s>", "▁A", "▁日本語", "."};
  AttentionFigure figure;
  figure.title = "Attention <ein & \"Hut\">";
  for (int layer = 1; layer <= 2; ++layer) {
    const size_t rows = layer == 1 ? target.size() : 3, columns = layer == 1 ? source.size() : 5;
    const std::vector<std::string> row_labels(target.begin(), target.begin() + long(rows));
    const std::vector<std::string> column_labels(source.begin(), source.begin() + long(columns));
    std::vector<AttentionPanel> panels;
    for (int head = 1; head <= 3; ++head) {
      std::vector<float> weights(rows * columns);
      for (size_t i = 0; i < weights.size(); ++i) weights[i] = float((i * 7 + size_t(head)) % 11) / 10.0f;
      panels.push_back({"layer " + std::to_string(layer) + (head < 3 ? ", head " + std::to_string(head) : ", average"),
                        row_labels, column_labels, weights});
    }
    figure.panel_rows.push_back(panels);
  }
  // Known weights to look for: the scale's ends and one in between.
  figure.panel_rows[0][0].weights[0] = 0.0f;   // <s> → ▁Ein
  figure.panel_rows[0][0].weights[1] = 1.0f;   // <s> → <unk>
  figure.panel_rows[0][0].weights[9] = 0.734f; // ▁A → "Hut'
  return figure;
}

std::vector<const XmlElement*> panels_of(const XmlElement& root) {
  std::vector<const XmlElement*> panels;
  for (const XmlElement* g : root.descendants("g"))
    if (g->attribute("class") == "panel") panels.push_back(g);
  return panels;
}

// The heatmap cells: rectangles that carry a tooltip.
std::vector<const XmlElement*> cells_of(const XmlElement& panel) {
  std::vector<const XmlElement*> cells;
  for (const XmlElement* rect : panel.descendants("rect"))
    if (rect->child("title") != nullptr) cells.push_back(rect);
  return cells;
}

TEST(AttentionHeatmap, IsWellFormedXml) {
  const std::string svg = render_attention_heatmaps(example_figure());
  XmlElement root;
  ASSERT_NO_THROW(root = xml_check::parse_xml(svg));
  EXPECT_EQ(root.name, "svg");
  ASSERT_FALSE(root.descendants("text").empty());
  EXPECT_EQ(root.descendants("text")[0]->text, "Attention <ein & \"Hut\">");
}

TEST(AttentionHeatmap, XmllintAcceptsIt) {
  if (!xml_check::xmllint_available()) GTEST_SKIP() << "xmllint not installed (Debian package libxml2-utils)";
  EXPECT_EQ(xml_check::xmllint_errors(render_attention_heatmaps(example_figure())), "");
}

TEST(AttentionHeatmap, OneCellPerWeightInEveryPanel) {
  const AttentionFigure figure = example_figure();
  const XmlElement root = xml_check::parse_xml(render_attention_heatmaps(figure));
  const auto panels = panels_of(root);
  ASSERT_EQ(panels.size(), 6u);
  for (size_t p = 0; p < panels.size(); ++p) {
    const AttentionPanel& expected = figure.panel_rows[p / 3][p % 3];
    EXPECT_EQ(panels[p]->child("title")->text, expected.title);
    EXPECT_EQ(cells_of(*panels[p]).size(), expected.row_labels.size() * expected.column_labels.size()) << expected.title;
  }
}

TEST(AttentionHeatmap, CellTooltipsNameTargetSourceAndWeight) {
  const AttentionFigure figure = example_figure();
  const XmlElement root = xml_check::parse_xml(render_attention_heatmaps(figure));
  const auto cells = cells_of(*panels_of(root).at(0));
  ASSERT_EQ(cells.size(), 24u);
  EXPECT_EQ(cells[0]->child("title")->text, "<s> → ▁Ein: 0.000");
  EXPECT_EQ(cells[1]->child("title")->text, "<s> → <unk>: 1.000");
  // Row-major: cell 9 is row 1 (▁A), column 3 ("Hut'); tooltips keep labels whole.
  EXPECT_EQ(cells[9]->child("title")->text, "▁A → \"Hut': 0.734");
  const std::string whole_label = "<s> → ▁Donaudampfschifffahrt: ";
  EXPECT_EQ(cells[4]->child("title")->text.substr(0, whole_label.size()), whole_label);
}

TEST(AttentionHeatmap, WeightZeroAndOneGetTheScaleEnds) {
  const XmlElement root = xml_check::parse_xml(render_attention_heatmaps(example_figure()));
  const auto cells = cells_of(*panels_of(root).at(0));
  // viridis' ends, from matplotlib: (0.267, 0.005, 0.329) and (0.993, 0.906, 0.144).
  EXPECT_EQ(cells[0]->attribute("fill"), "#440154");
  EXPECT_EQ(cells[1]->attribute("fill"), "#fde725");
  EXPECT_NE(cells[9]->attribute("fill"), "#440154");
  EXPECT_NE(cells[9]->attribute("fill"), "#fde725");
}

TEST(AttentionHeatmap, LabelsOnBothAxesEscapedAndTruncatedByCharacters) {
  const XmlElement root = xml_check::parse_xml(render_attention_heatmaps(example_figure()));
  const XmlElement& panel = *panels_of(root).at(0);
  std::vector<std::string> horizontal, rotated;
  for (const XmlElement* text : panel.descendants("text"))
    (text->attribute("transform").rfind("rotate(-90", 0) == 0 ? rotated : horizontal).push_back(text->text);
  EXPECT_EQ(horizontal, (std::vector<std::string>{"layer 1, head 1", "<s>", "▁A", "▁日本語", "."}));
  // Column labels run upwards; the long one keeps 13 characters and gains an ellipsis.
  EXPECT_EQ(rotated, (std::vector<std::string>{"▁Ein", "<unk>", "&", "\"Hut'", "▁Donaudampfsc…", "</s>"}));
  EXPECT_EQ(utf8_length(rotated[4]), 14u);
}

TEST(AttentionHeatmap, HasAColourBarFromZeroToOne) {
  const XmlElement root = xml_check::parse_xml(render_attention_heatmaps(example_figure()));
  const XmlElement* bar = nullptr;
  for (const XmlElement* g : root.descendants("g"))
    if (g->attribute("class") == "color-bar") bar = g;
  ASSERT_NE(bar, nullptr);
  std::vector<std::string> labels;
  for (const XmlElement* text : bar->descendants("text")) labels.push_back(text->text);
  EXPECT_EQ(labels, (std::vector<std::string>{"1", "0.5", "0"}));
  const auto bands = bar->descendants("rect");
  ASSERT_GE(bands.size(), 3u);
  // Top band near 1 (yellow end), bottom band near 0 (purple end): the first digits agree.
  EXPECT_EQ(bands.front()->attribute("fill").substr(0, 2), "#f");
  EXPECT_EQ(bands[bands.size() - 2]->attribute("fill").substr(0, 3), "#44");
}

TEST(AttentionHeatmap, CellsShrinkAsLabelsGrowInNumber) {
  const auto cell_width = [](size_t n) {
    AttentionFigure figure;
    std::vector<std::string> labels;
    for (size_t i = 0; i < n; ++i) labels.push_back("▁w" + std::to_string(i));
    figure.panel_rows = {{{"layer 1, average", labels, labels, std::vector<float>(n * n, 0.5f)}}};
    const XmlElement root = xml_check::parse_xml(render_attention_heatmaps(figure));
    const auto cells = cells_of(*panels_of(root).at(0));
    EXPECT_EQ(cells.size(), n * n);
    return std::stod(cells.at(0)->attribute("width"));
  };
  const double few = cell_width(5), many = cell_width(40), very_many = cell_width(120);
  EXPECT_GT(few, many);
  EXPECT_GE(many, very_many);
  EXPECT_GE(very_many, 10.0) << "cells stay large enough to hover and to label";
}

TEST(AttentionHeatmap, RejectsMalformedPanelsNamingThem) {
  const auto message = [](AttentionFigure figure) -> std::string {
    try {
      render_attention_heatmaps(figure);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no exception";
  };
  AttentionFigure figure = example_figure();
  figure.panel_rows[1][2].weights.pop_back();
  EXPECT_EQ(message(figure), "attention panel 'layer 2, average': expected 3 x 5 = 15 weights, got 14");

  figure = example_figure();
  figure.panel_rows[0][1].weights[7] = 1.5f;
  EXPECT_NE(message(figure).find("'layer 1, head 2': weight at row 1, column 1 is 1.5"), std::string::npos)
      << message(figure);

  figure = example_figure();
  figure.panel_rows[0][1].weights[7] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NE(message(figure).find("row 1, column 1 is nan"), std::string::npos) << message(figure);

  figure = example_figure();
  figure.panel_rows[0][0].column_labels.clear();
  figure.panel_rows[0][0].weights.clear();
  EXPECT_NE(message(figure).find("'layer 1, head 1': needs at least one row and one column label"), std::string::npos);

  EXPECT_EQ(message(AttentionFigure{"empty", {}}), "attention figure 'empty': no panels to draw");
}

TEST(AttentionHeatmap, ToleratesSoftmaxRoundingJustOutsideZeroToOne) {
  AttentionFigure figure;
  figure.panel_rows = {{{"layer 1, average", {"a"}, {"b", "c"}, {1.0000005f, -1e-7f}}}};
  const XmlElement root = xml_check::parse_xml(render_attention_heatmaps(figure));
  const auto cells = cells_of(*panels_of(root).at(0));
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[0]->child("title")->text, "a → b: 1.000");
  EXPECT_EQ(cells[1]->child("title")->text, "a → c: 0.000");
  EXPECT_EQ(cells[1]->attribute("fill"), "#440154");
}

}  // namespace
}  // namespace tfm::viz
