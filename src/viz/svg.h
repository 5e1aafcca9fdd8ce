#pragma once
// A tiny SVG document builder: the few shapes our figures need, written as text that any
// browser opens. Goals: standalone files, every label escaped, hover tooltips through <title>.
// Non-goals: reading SVG, styling beyond fill/stroke, measuring text (callers estimate widths).
#include <string>
#include <string_view>
#include <vector>

namespace tfm::viz {

// Makes text safe inside XML character data and quoted attribute values: escapes <&>"',
// and replaces what XML 1.0 cannot carry at all (ill-formed UTF-8, control characters other
// than tab/newline/carriage return, U+FFFE, U+FFFF) with U+FFFD.
std::string escape_xml(std::string_view text);

struct Point {
  double x = 0.0;
  double y = 0.0;
};

// Colours are CSS colour strings such as "#1f77b4" or "none".
struct Paint {
  std::string fill = "none";
  std::string stroke = "none";
  double stroke_width = 1.0;
  std::string dash;  // stroke-dasharray such as "6 3"; empty draws a solid line
};

enum class Anchor { start, middle, end };

struct TextStyle {
  double size = 12.0;
  Anchor anchor = Anchor::start;
  bool centred_vertically = false;  // true: y is the middle of the letters, not the baseline
  double rotate_degrees = 0.0;      // about the anchor point; negative turns counter-clockwise
  bool bold = false;
  std::string color = "#000000";
};

class SvgDocument {
 public:
  SvgDocument(double width, double height);

  // A tooltip, when not empty, is shown when hovering over the shape.
  void rect(double x, double y, double width, double height, const Paint& paint, std::string_view tooltip = {});
  void circle(Point centre, double radius, const Paint& paint, std::string_view tooltip = {});
  void line(Point from, Point to, const Paint& paint);
  void polyline(const std::vector<Point>& points, const Paint& paint);
  void text(Point at, std::string_view content, const TextStyle& style);

  // A group shifts everything drawn inside it by translate; its tooltip (when not empty) is
  // shown when hovering anything inside that has none of its own.
  void begin_group(std::string_view css_class, std::string_view tooltip = {}, Point translate = {});
  void end_group();

  // The whole file: XML declaration, <svg> root with a white background, the shapes.
  // Every begin_group must have been closed.
  std::string render() const;

 private:
  void open_tag(std::string_view tag);
  void attribute(std::string_view name, std::string_view value);  // escapes value
  void attribute(std::string_view name, double value);
  void paint_attributes(const Paint& paint);
  void close_shape(std::string_view tag, std::string_view tooltip);

  double width_;
  double height_;
  std::string body_;
  int open_groups_ = 0;
};

// Width of a line of text, estimated without fonts: DejaVu Sans averages about 0.62 em per
// character over mixed-case Latin text. Good enough to reserve margins, not to kern.
double estimated_text_width(std::string_view text, double font_size);

// Compact, locale-independent number text for coordinates: at most two decimals, no
// trailing zeros ("12", "12.5", "-0.25").
std::string format_coordinate(double value);

}  // namespace tfm::viz
