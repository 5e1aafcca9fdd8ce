#include "viz/svg.h"

#include <cassert>
#include <charconv>
#include <cmath>

#include "text/utf8.h"
#include "viz/utf8.h"

namespace tfm::viz {

namespace {

bool allowed_in_xml(char32_t c) {
  if (c < 0x20) return c == U'\t' || c == U'\n' || c == U'\r';
  return c != 0xFFFE && c != 0xFFFF;
}

std::string_view anchor_name(Anchor anchor) {
  switch (anchor) {
    case Anchor::start: return "start";
    case Anchor::middle: return "middle";
    case Anchor::end: return "end";
  }
  return "start";
}

}  // namespace

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const char32_t c = text::next_code_point(text, pos);
    switch (c) {
      case U'<': out += "&lt;"; break;
      case U'>': out += "&gt;"; break;
      case U'&': out += "&amp;"; break;
      case U'"': out += "&quot;"; break;
      case U'\'': out += "&apos;"; break;
      default: text::append_utf8(out, allowed_in_xml(c) ? c : text::kReplacementCharacter);
    }
  }
  return out;
}

double estimated_text_width(std::string_view text, double font_size) {
  return 0.62 * font_size * double(utf8_length(text));
}

std::string format_coordinate(double value) {
  assert(std::isfinite(value));
  value = std::round(value * 100.0) / 100.0;
  if (value == 0.0) value = 0.0;  // no "-0"
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 2);
  assert(result.ec == std::errc());
  std::string text(buffer, result.ptr);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

SvgDocument::SvgDocument(double width, double height) : width_(width), height_(height) {
  assert(width > 0 && height > 0);
}

void SvgDocument::open_tag(std::string_view tag) {
  body_ += '<';
  body_ += tag;
}

void SvgDocument::attribute(std::string_view name, std::string_view value) {
  body_ += ' ';
  body_ += name;
  body_ += "=\"";
  body_ += escape_xml(value);
  body_ += '"';
}

void SvgDocument::attribute(std::string_view name, double value) { attribute(name, format_coordinate(value)); }

void SvgDocument::paint_attributes(const Paint& paint) {
  attribute("fill", paint.fill);
  if (paint.stroke == "none") return;
  attribute("stroke", paint.stroke);
  attribute("stroke-width", paint.stroke_width);
  if (!paint.dash.empty()) attribute("stroke-dasharray", paint.dash);
}

void SvgDocument::close_shape(std::string_view tag, std::string_view tooltip) {
  if (tooltip.empty()) {
    body_ += "/>\n";
    return;
  }
  body_ += "><title>";
  body_ += escape_xml(tooltip);
  body_ += "</title></";
  body_ += tag;
  body_ += ">\n";
}

void SvgDocument::rect(double x, double y, double width, double height, const Paint& paint, std::string_view tooltip) {
  open_tag("rect");
  attribute("x", x);
  attribute("y", y);
  attribute("width", width);
  attribute("height", height);
  paint_attributes(paint);
  close_shape("rect", tooltip);
}

void SvgDocument::circle(Point centre, double radius, const Paint& paint, std::string_view tooltip) {
  open_tag("circle");
  attribute("cx", centre.x);
  attribute("cy", centre.y);
  attribute("r", radius);
  paint_attributes(paint);
  close_shape("circle", tooltip);
}

void SvgDocument::line(Point from, Point to, const Paint& paint) {
  open_tag("line");
  attribute("x1", from.x);
  attribute("y1", from.y);
  attribute("x2", to.x);
  attribute("y2", to.y);
  paint_attributes(paint);
  close_shape("line", {});
}

void SvgDocument::polyline(const std::vector<Point>& points, const Paint& paint) {
  std::string coordinates;
  for (const Point& p : points) {
    if (!coordinates.empty()) coordinates += ' ';
    coordinates += format_coordinate(p.x);
    coordinates += ',';
    coordinates += format_coordinate(p.y);
  }
  open_tag("polyline");
  attribute("points", coordinates);
  attribute("stroke-linejoin", "round");
  paint_attributes(paint);
  close_shape("polyline", {});
}

void SvgDocument::text(Point at, std::string_view content, const TextStyle& style) {
  open_tag("text");
  attribute("x", at.x);
  attribute("y", at.y);
  attribute("font-size", style.size);
  if (style.anchor != Anchor::start) attribute("text-anchor", anchor_name(style.anchor));
  // dy rather than dominant-baseline, which some renderers ignore.
  if (style.centred_vertically) attribute("dy", "0.35em");
  if (style.rotate_degrees != 0.0)
    attribute("transform", "rotate(" + format_coordinate(style.rotate_degrees) + " " + format_coordinate(at.x) + " " +
                               format_coordinate(at.y) + ")");
  if (style.bold) attribute("font-weight", "bold");
  if (style.color != "#000000") attribute("fill", style.color);
  body_ += '>';
  body_ += escape_xml(content);
  body_ += "</text>\n";
}

void SvgDocument::begin_group(std::string_view css_class, std::string_view tooltip, Point translate) {
  open_tag("g");
  if (!css_class.empty()) attribute("class", css_class);
  if (translate.x != 0.0 || translate.y != 0.0)
    attribute("transform", "translate(" + format_coordinate(translate.x) + " " + format_coordinate(translate.y) + ")");
  body_ += ">\n";
  if (!tooltip.empty()) {
    body_ += "<title>";
    body_ += escape_xml(tooltip);
    body_ += "</title>\n";
  }
  ++open_groups_;
}

void SvgDocument::end_group() {
  assert(open_groups_ > 0);
  body_ += "</g>\n";
  --open_groups_;
}

std::string SvgDocument::render() const {
  assert(open_groups_ == 0);
  const std::string w = format_coordinate(width_), h = format_coordinate(height_);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + w + "\" height=\"" + h +
         "\" viewBox=\"0 0 " + w + " " + h + "\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\">\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  out += body_;
  out += "</svg>\n";
  return out;
}

}  // namespace tfm::viz
