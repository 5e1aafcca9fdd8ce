#include "viz/line_plot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

#include "viz/xml_checker.h"

namespace tfm::viz {
namespace {

using xml_check::XmlElement;

LinePlot loss_plot() {
  LinePlot plot{"Loss <train & \"dev\">", "step", "cross-entropy 'nats'", {}, false};
  Curve train{"training ▁loss <&>", {}};
  for (int i = 0; i <= 100; ++i) train.points.push_back({double(i) / 10.0, 7.3 - 0.05 * i});
  Curve dev{"validation loss", {{0, 7.3}, {2.5, 4.0}, {5, 3.0}, {7.5, 2.6}, {10, 2.5}}};
  plot.curves = {train, dev};
  return plot;
}

std::vector<const XmlElement*> groups_of_class(const XmlElement& root, const std::string& css_class) {
  std::vector<const XmlElement*> found;
  for (const XmlElement* g : root.descendants("g"))
    if (g->attribute("class") == css_class) found.push_back(g);
  return found;
}

std::vector<Point> polyline_points(const XmlElement& polyline) {
  std::vector<Point> points;
  std::istringstream in(polyline.attribute("points"));
  std::string pair;
  while (in >> pair) {
    const size_t comma = pair.find(',');
    points.push_back({std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1))});
  }
  return points;
}

// The plot area's frame: the one rectangle drawn with a stroke and no fill.
struct Box {
  double x, y, width, height;
};
Box frame_of(const XmlElement& plot) {
  for (const XmlElement* rect : plot.descendants("rect"))
    if (rect->attribute("fill") == "none" && !rect->attribute("stroke").empty())
      return {std::stod(rect->attribute("x")), std::stod(rect->attribute("y")), std::stod(rect->attribute("width")),
              std::stod(rect->attribute("height"))};
  ADD_FAILURE() << "no frame";
  return {};
}

std::vector<std::string> texts_of(const XmlElement& element) {
  std::vector<std::string> texts;
  for (const XmlElement* text : element.descendants("text")) texts.push_back(text->text);
  return texts;
}

bool contains(const std::vector<std::string>& texts, const std::string& wanted) {
  return std::find(texts.begin(), texts.end(), wanted) != texts.end();
}

TEST(LinePlot, IsWellFormedXmlWithLabelsEscaped) {
  XmlElement root;
  ASSERT_NO_THROW(root = xml_check::parse_xml(render_line_plot(loss_plot())));
  const auto texts = texts_of(root);
  EXPECT_TRUE(contains(texts, "Loss <train & \"dev\">"));
  EXPECT_TRUE(contains(texts, "cross-entropy 'nats'"));
  EXPECT_TRUE(contains(texts, "training ▁loss <&>"));
}

TEST(LinePlot, XmllintAcceptsIt) {
  if (!xml_check::xmllint_available()) GTEST_SKIP() << "xmllint not installed (Debian package libxml2-utils)";
  const std::vector<LinePlot> plots = {loss_plot(), loss_plot()};
  EXPECT_EQ(xml_check::xmllint_errors(render_line_plots(plots)), "");
}

TEST(LinePlot, NiceTicksOnBothAxes) {
  const XmlElement root = xml_check::parse_xml(render_line_plot(loss_plot()));
  const auto texts = texts_of(root);
  // y in [2.3, 7.3]: step 1 gives 2..8 (6 intervals), step 2 gives 2..8 in 3.
  for (const std::string tick : {"2", "4", "6", "8"}) EXPECT_TRUE(contains(texts, tick)) << tick;
  // x in [0, 10]: step 2, 0..10.
  for (const std::string tick : {"0", "2", "4", "6", "8", "10"}) EXPECT_TRUE(contains(texts, tick)) << tick;
  EXPECT_FALSE(contains(texts, "12"));
}

TEST(LinePlot, PointsLandWhereTheAxesSay) {
  // Axes 0..10 by 2..8 (see NiceTicksOnBothAxes): (0, 7.3) is at the left, (7.3 - 2) / 6 up.
  const XmlElement root = xml_check::parse_xml(render_line_plot(loss_plot()));
  const Box frame = frame_of(*groups_of_class(root, "plot").at(0));
  const auto polylines = root.descendants("polyline");
  ASSERT_EQ(polylines.size(), 2u);
  const std::vector<Point> train = polyline_points(*polylines[0]);
  ASSERT_EQ(train.size(), 101u);
  EXPECT_NEAR(train.front().x, frame.x, 0.01);
  EXPECT_NEAR(train.front().y, frame.y + frame.height * (1.0 - (7.3 - 2.0) / 6.0), 0.01);
  EXPECT_NEAR(train.back().x, frame.x + frame.width, 0.01);
  EXPECT_NEAR(train.back().y, frame.y + frame.height * (1.0 - (2.3 - 2.0) / 6.0), 0.01);
}

TEST(LinePlot, LogScaleYPlacesDecadesEvenly) {
  LinePlot plot{"log", "step", "loss", {{"loss", {{0, 10.1}, {1, 5.0}, {2, 1.9}}}}, true};
  const XmlElement root = xml_check::parse_xml(render_line_plot(plot));
  const auto texts = texts_of(root);
  for (const std::string tick : {"1", "2", "5", "10", "20"}) EXPECT_TRUE(contains(texts, tick)) << tick;
  const Box frame = frame_of(*groups_of_class(root, "plot").at(0));
  const std::vector<Point> points = polyline_points(*root.descendants("polyline").at(0));
  ASSERT_EQ(points.size(), 3u);
  // Axis 1..20: y sits log10(y) / log10(20) of the way up.
  for (size_t i = 0; i < 3; ++i)
    EXPECT_NEAR(points[i].y, frame.y + frame.height * (1.0 - std::log10(plot.curves[0].points[i].y) / std::log10(20.0)),
                0.01);
}

TEST(LinePlot, LogScaleRejectsNonPositiveValuesNamingTheCurve) {
  LinePlot plot{"log", "step", "loss", {{"validation", {{100, 2.0}, {200, 0.0}}}}, true};
  try {
    render_line_plot(plot);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "plot 'log', curve 'validation': log-scale y needs y > 0, got 0 at x = 200");
  }
}

TEST(LinePlot, CurvesGetDistinctStylesAndLegendEntries) {
  LinePlot plot{"many", "x", "y", {}, false};
  for (int c = 0; c < 10; ++c) plot.curves.push_back({"curve " + std::to_string(c), {{0, double(c)}, {1, double(c) + 1}}});
  plot.curves[9].name = "a curve with a name far too long for any legend box";
  const XmlElement root = xml_check::parse_xml(render_line_plot(plot));
  std::set<std::string> styles;
  for (const XmlElement* line : root.descendants("polyline"))
    styles.insert(line->attribute("stroke") + "/" + line->attribute("stroke-dasharray"));
  EXPECT_EQ(styles.size(), 10u);

  const auto legend = groups_of_class(root, "legend-entry");
  ASSERT_EQ(legend.size(), 10u);
  EXPECT_EQ(legend[3]->descendants("text").at(0)->text, "curve 3");
  EXPECT_EQ(legend[9]->descendants("text").at(0)->text, "a curve with a name far too lon…");
  EXPECT_EQ(legend[9]->child("title")->text, plot.curves[9].name);
  // The legend sample has the curve's style.
  EXPECT_EQ(legend[8]->descendants("line").at(0)->attribute("stroke"), root.descendants("polyline").at(8)->attribute("stroke"));
}

TEST(LinePlot, SparseCurvesGetMarkersWithTooltipsDenseOnesDoNot) {
  const XmlElement root = xml_check::parse_xml(render_line_plot(loss_plot()));
  const auto curves = groups_of_class(root, "curve");
  ASSERT_EQ(curves.size(), 2u);
  EXPECT_TRUE(curves[0]->descendants("circle").empty());  // 101 training points
  const auto markers = curves[1]->descendants("circle");
  ASSERT_EQ(markers.size(), 5u);
  EXPECT_EQ(markers[1]->child("title")->text, "validation loss: 2.5, 4");
}

TEST(LinePlot, LeavesOutNonFinitePoints) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  LinePlot plot{"diverged", "step", "loss", {{"loss", {{1, 3.0}, {2, inf}, {3, nan}, {nan, 1.0}, {4, 2.0}}}}, false};
  const XmlElement root = xml_check::parse_xml(render_line_plot(plot));
  EXPECT_EQ(polyline_points(*root.descendants("polyline").at(0)).size(), 2u);
  EXPECT_EQ(root.descendants("circle").size(), 2u);
}

TEST(LinePlot, StacksPlotsVerticallyWithAlignedAreas) {
  LinePlot bleu{"Validation BLEU", "step", "BLEU", {{"BLEU", {{1000, 5.0}, {2000, 20.0}, {3000, 27.5}}}}, false};
  LinePlot loss = loss_plot();
  loss.curves[0].name = "a much longer training loss name";  // widens the right margin
  const std::vector<LinePlot> plots = {loss, bleu};
  const XmlElement root = xml_check::parse_xml(render_line_plots(plots));
  const XmlElement single = xml_check::parse_xml(render_line_plot(bleu));
  EXPECT_NEAR(std::stod(root.attribute("height")), 2 * std::stod(single.attribute("height")), 0.01);

  const auto stacked = groups_of_class(root, "plot");
  ASSERT_EQ(stacked.size(), 2u);
  EXPECT_EQ(stacked[0]->attribute("transform"), "");
  EXPECT_EQ(stacked[1]->attribute("transform"), "translate(0 " + single.attribute("height") + ")");
  const Box top = frame_of(*stacked[0]), bottom = frame_of(*stacked[1]);
  EXPECT_EQ(top.x, bottom.x);
  EXPECT_EQ(top.width, bottom.width);
  EXPECT_TRUE(contains(texts_of(*stacked[1]), "Validation BLEU"));
}

TEST(LinePlot, EmptyPlotStillDrawsAxes) {
  LinePlot plot{"nothing yet", "step", "BLEU", {{"BLEU", {}}}, false};
  XmlElement root;
  ASSERT_NO_THROW(root = xml_check::parse_xml(render_line_plot(plot)));
  EXPECT_TRUE(contains(texts_of(root), "nothing yet"));
  EXPECT_TRUE(contains(texts_of(root), "1.0"));  // default axes [0, 1]
}

}  // namespace
}  // namespace tfm::viz
