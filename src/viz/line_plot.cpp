#include "viz/line_plot.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "viz/ticks.h"
#include "viz/utf8.h"

namespace tfm::viz {

namespace {

constexpr double kAreaWidth = 560.0;
constexpr double kAreaHeight = 300.0;
constexpr double kTitleSize = 15.0;
constexpr double kAxisLabelSize = 13.0;
constexpr double kTickSize = 11.0;
constexpr double kLegendSize = 12.0;
constexpr double kTopMargin = 40.0;
constexpr double kBottomMargin = 56.0;
constexpr double kTickLength = 5.0;
constexpr size_t kMaxLegendChars = 32;
// Sparse curves (validation every N steps) get a dot with a tooltip per point; dense ones
// (training loss every step) would drown in them.
constexpr size_t kMaxPointsWithMarkers = 60;

// Okabe and Ito's colour-blind safe palette, yellow left out (unreadable on white).
constexpr std::array<const char*, 7> kColors = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                                "#e69f00", "#56b4e9", "#000000"};
constexpr std::array<const char*, 3> kDashes = {"", "7 4", "2 3"};

Paint curve_paint(size_t index) {
  Paint paint;
  paint.stroke = kColors[index % kColors.size()];
  paint.stroke_width = 1.8;
  paint.dash = kDashes[(index / kColors.size()) % kDashes.size()];
  return paint;
}

std::string number_text(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 6);
  assert(result.ec == std::errc());
  return std::string(buffer, result.ptr);
}

bool is_finite(const Point& p) { return std::isfinite(p.x) && std::isfinite(p.y); }

struct Axes {
  Ticks x;
  Ticks y;
  bool log_y = false;
};

Axes axes_for(const LinePlot& plot) {
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  for (const Curve& curve : plot.curves) {
    for (const Point& p : curve.points) {
      if (!is_finite(p)) continue;
      if (plot.log_y && p.y <= 0.0)
        throw std::invalid_argument("plot '" + plot.title + "', curve '" + curve.name + "': log-scale y needs y > 0, got " +
                                    number_text(p.y) + " at x = " + number_text(p.x));
      x_min = std::min(x_min, p.x), x_max = std::max(x_max, p.x);
      y_min = std::min(y_min, p.y), y_max = std::max(y_max, p.y);
    }
  }
  if (x_min > x_max) {  // nothing to draw yet: empty axes
    x_min = 0.0, x_max = 1.0;
    y_min = plot.log_y ? 1.0 : 0.0, y_max = plot.log_y ? 10.0 : 1.0;
  }
  return {linear_ticks(x_min, x_max), plot.log_y ? log_ticks(y_min, y_max) : linear_ticks(y_min, y_max), plot.log_y};
}

// Left and right margins shared by all stacked plots, so that their plot areas line up.
struct Margins {
  double left = 0.0;
  double right = 0.0;
};

Margins margins_for(const LinePlot& plot, const Axes& axes) {
  double widest_tick = 0.0;
  for (const std::string& label : axes.y.labels) widest_tick = std::max(widest_tick, estimated_text_width(label, kTickSize));
  double widest_name = 0.0;
  for (const Curve& curve : plot.curves)
    widest_name = std::max(widest_name, estimated_text_width(truncate_with_ellipsis(curve.name, kMaxLegendChars), kLegendSize));
  const double legend = plot.curves.empty() ? 16.0 : 16.0 + 28.0 + 6.0 + widest_name + 12.0;
  return {12.0 + kAxisLabelSize + 10.0 + widest_tick + kTickLength + 4.0, legend};
}

// Maps data coordinates into the plot area [left, left + width] x [top, top + height].
class Frame {
 public:
  Frame(const Axes& axes, double left, double top) : axes_(axes), left_(left), top_(top) {}

  double x(double value) const {
    const double lo = axes_.x.values.front(), hi = axes_.x.values.back();
    return left_ + (value - lo) / (hi - lo) * kAreaWidth;
  }
  double y(double value) const {
    double lo = axes_.y.values.front(), hi = axes_.y.values.back();
    if (axes_.log_y) value = std::log10(value), lo = std::log10(lo), hi = std::log10(hi);
    return top_ + kAreaHeight - (value - lo) / (hi - lo) * kAreaHeight;
  }
  Point operator()(const Point& p) const { return {x(p.x), y(p.y)}; }

  double left() const { return left_; }
  double top() const { return top_; }
  double right() const { return left_ + kAreaWidth; }
  double bottom() const { return top_ + kAreaHeight; }

 private:
  const Axes& axes_;
  double left_;
  double top_;
};

void draw_axes(SvgDocument& svg, const LinePlot& plot, const Axes& axes, const Frame& frame) {
  const Paint grid{"none", "#e6e6e6", 1.0, ""};
  const Paint tick{"none", "#444444", 1.0, ""};
  TextStyle tick_text;
  tick_text.size = kTickSize;
  tick_text.color = "#333333";

  tick_text.anchor = Anchor::middle;
  for (size_t i = 0; i < axes.x.values.size(); ++i) {
    const double x = frame.x(axes.x.values[i]);
    svg.line({x, frame.top()}, {x, frame.bottom()}, grid);
    svg.line({x, frame.bottom()}, {x, frame.bottom() + kTickLength}, tick);
    svg.text({x, frame.bottom() + kTickLength + kTickSize + 2.0}, axes.x.labels[i], tick_text);
  }
  tick_text.anchor = Anchor::end;
  tick_text.centred_vertically = true;
  for (size_t i = 0; i < axes.y.values.size(); ++i) {
    const double y = frame.y(axes.y.values[i]);
    svg.line({frame.left(), y}, {frame.right(), y}, grid);
    svg.line({frame.left() - kTickLength, y}, {frame.left(), y}, tick);
    svg.text({frame.left() - kTickLength - 3.0, y}, axes.y.labels[i], tick_text);
  }
  svg.rect(frame.left(), frame.top(), kAreaWidth, kAreaHeight, tick);

  TextStyle label;
  label.size = kAxisLabelSize;
  label.anchor = Anchor::middle;
  const double middle_x = (frame.left() + frame.right()) / 2.0;
  svg.text({middle_x, frame.bottom() + kBottomMargin - 12.0}, plot.x_label, label);
  label.rotate_degrees = -90.0;
  label.centred_vertically = true;
  svg.text({12.0 + kAxisLabelSize / 2.0, (frame.top() + frame.bottom()) / 2.0}, plot.y_label, label);

  TextStyle title;
  title.size = kTitleSize;
  title.anchor = Anchor::middle;
  title.bold = true;
  svg.text({middle_x, kTopMargin - 16.0}, plot.title, title);
}

void draw_curves(SvgDocument& svg, const LinePlot& plot, const Frame& frame) {
  for (size_t c = 0; c < plot.curves.size(); ++c) {
    const Curve& curve = plot.curves[c];
    const Paint paint = curve_paint(c);
    std::vector<Point> finite;
    for (const Point& p : curve.points)
      if (is_finite(p)) finite.push_back(p);
    std::vector<Point> drawn;
    for (const Point& p : finite) drawn.push_back(frame(p));
    svg.begin_group("curve", curve.name);
    svg.polyline(drawn, paint);
    if (finite.size() <= kMaxPointsWithMarkers) {
      const Paint dot{paint.stroke, "none", 1.0, ""};
      for (size_t i = 0; i < finite.size(); ++i)
        svg.circle(drawn[i], 2.6, dot, curve.name + ": " + number_text(finite[i].x) + ", " + number_text(finite[i].y));
    }
    svg.end_group();
  }
}

void draw_legend(SvgDocument& svg, const LinePlot& plot, const Frame& frame) {
  TextStyle name;
  name.size = kLegendSize;
  name.centred_vertically = true;
  for (size_t c = 0; c < plot.curves.size(); ++c) {
    const double x = frame.right() + 16.0, y = frame.top() + 10.0 + 20.0 * double(c);
    svg.begin_group("legend-entry", plot.curves[c].name);
    svg.line({x, y}, {x + 28.0, y}, curve_paint(c));
    svg.text({x + 34.0, y}, truncate_with_ellipsis(plot.curves[c].name, kMaxLegendChars), name);
    svg.end_group();
  }
}

}  // namespace

std::string render_line_plots(std::span<const LinePlot> plots) {
  std::vector<Axes> axes;
  Margins margins;
  for (const LinePlot& plot : plots) {
    axes.push_back(axes_for(plot));
    const Margins m = margins_for(plot, axes.back());
    margins.left = std::max(margins.left, m.left), margins.right = std::max(margins.right, m.right);
  }
  const double plot_height = kTopMargin + kAreaHeight + kBottomMargin;
  const double width = margins.left + kAreaWidth + margins.right;
  SvgDocument svg(width, std::max(1.0, plot_height * double(plots.size())));
  for (size_t i = 0; i < plots.size(); ++i) {
    svg.begin_group("plot", {}, {0.0, plot_height * double(i)});
    const Frame frame(axes[i], margins.left, kTopMargin);
    draw_axes(svg, plots[i], axes[i], frame);
    draw_curves(svg, plots[i], frame);
    draw_legend(svg, plots[i], frame);
    svg.end_group();
  }
  return svg.render();
}

}  // namespace tfm::viz
