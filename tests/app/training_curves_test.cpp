#include "app/training_curves.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "io/format_error.h"
#include "support/temp_dir.h"
#include "viz/xml_checker.h"

namespace tfm::app {
namespace {

using tfm::testing::TempDir;
using viz::xml_check::XmlElement;

std::string train_line(int step, double loss) {
  std::ostringstream s;
  s << R"({"type":"train","step":)" << step << R"(,"epoch":0,"elapsed":)" << step * 0.1 << R"(,"loss":)" << loss
    << R"(,"ppl":1.0,"lr":0.001,"tgt_tok_per_s":1000.0})" << '\n';
  return s.str();
}

std::string valid_line(int step, double loss, double bleu) {
  std::ostringstream s;
  s << R"({"type":"valid","step":)" << step << R"(,"epoch":0,"elapsed":)" << step * 0.1 << R"(,"loss":)" << loss
    << R"(,"ppl":1.0,"bleu":)" << bleu << "}\n";
  return s.str();
}

// Each curve's name (its group's tooltip) and the number of vertices of its line.
std::map<std::string, size_t> points_per_curve(const std::string& svg) {
  const XmlElement root = viz::xml_check::parse_xml(svg);
  std::map<std::string, size_t> counts;
  for (const XmlElement* g : root.descendants("g")) {
    if (g->attribute("class") != "curve") continue;
    const XmlElement* polyline = g->child("polyline");
    std::istringstream points(polyline ? polyline->attribute("points") : "");
    size_t n = 0;
    for (std::string pair; points >> pair;) ++n;
    counts[g->child("title")->text] = n;
  }
  return counts;
}

size_t plot_count(const std::string& svg) {
  const XmlElement root = viz::xml_check::parse_xml(svg);
  size_t n = 0;
  for (const XmlElement* g : root.descendants("g")) n += g->attribute("class") == "plot";
  return n;
}

TEST(TrainingCurves, OnePointPerRecordInEachCurve) {
  TempDir dir;
  std::string log;
  for (int step = 10; step <= 250; step += 10) {
    log += train_line(step, 8.0 / step);
    if (step % 50 == 0) log += valid_line(step, 9.0 / step, step / 10.0);
  }
  const std::string svg = render_training_curves(dir.write("metrics.jsonl", log));
  const std::map<std::string, size_t> expected = {
      {"training loss", 25}, {"validation loss", 5}, {"validation BLEU", 5}};
  EXPECT_EQ(points_per_curve(svg), expected);
  EXPECT_EQ(plot_count(svg), 2u);
}

TEST(TrainingCurves, LossPlotIsLogScaleAndBleuPlotIsLinear) {
  train::MetricsLog log;
  log.train = {{1, 5.0}, {2, 4.0}};
  log.valid = {{2, 4.5, 0.5}};
  const auto plots = training_curves(log);
  ASSERT_EQ(plots.size(), 2u);
  EXPECT_TRUE(plots[0].log_y);
  EXPECT_EQ(plots[0].x_label, "step");
  ASSERT_EQ(plots[0].curves.size(), 2u);
  EXPECT_EQ(plots[0].curves[0].points[1].x, 2.0);
  EXPECT_EQ(plots[0].curves[0].points[1].y, 4.0);
  EXPECT_EQ(plots[0].curves[1].points[0].y, 4.5);
  EXPECT_FALSE(plots[1].log_y);
  EXPECT_EQ(plots[1].curves[0].points[0].y, 0.5);
}

TEST(TrainingCurves, WithoutValidationOnlyTheLossPlot) {
  TempDir dir;
  const std::string svg = render_training_curves(dir.write("metrics.jsonl", train_line(1, 6.0) + train_line(2, 5.0)));
  EXPECT_EQ(plot_count(svg), 1u);
  const std::map<std::string, size_t> expected = {{"training loss", 2}, {"validation loss", 0}};
  EXPECT_EQ(points_per_curve(svg), expected);
}

TEST(TrainingCurves, ErrorsNameTheFile) {
  TempDir dir;
  const std::string empty = dir.write("empty.jsonl", "");
  EXPECT_THROW(
      {
        try {
          render_training_curves(empty);
        } catch (const io::FormatError& e) {
          EXPECT_EQ(std::string(e.what()), empty + " holds no training or validation records yet");
          throw;
        }
      },
      io::FormatError);
  const std::string bad = dir.write("bad.jsonl", train_line(1, 6.0) + "{\"type\": \"train\",\n");
  EXPECT_THROW(
      {
        try {
          render_training_curves(bad);
        } catch (const io::FormatError& e) {
          EXPECT_EQ(std::string(e.what()).rfind(bad + ":2: not valid JSON", 0), 0u) << e.what();
          throw;
        }
      },
      io::FormatError);
}

}  // namespace
}  // namespace tfm::app
