#pragma once
// Test support: a strict little XML parser (well-formedness plus an element tree with
// entities decoded, written independently of the escaping under test), and a bridge to
// xmllint from libxml2-utils as a second opinion.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tfm::viz::xml_check {

struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attributes;  // entities decoded
  std::vector<XmlElement> children;
  std::string text;  // character data directly inside this element, entities decoded

  std::string attribute(const std::string& key) const {
    const auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
  }
  const XmlElement* child(std::string_view child_name) const {
    for (const XmlElement& c : children)
      if (c.name == child_name) return &c;
    return nullptr;
  }
  // Every element below this one (not itself) with that name, in document order.
  std::vector<const XmlElement*> descendants(std::string_view wanted) const {
    std::vector<const XmlElement*> found;
    for (const XmlElement& c : children) {
      if (c.name == wanted) found.push_back(&c);
      for (const XmlElement* d : c.descendants(wanted)) found.push_back(d);
    }
    return found;
  }
};

class XmlParser {
 public:
  explicit XmlParser(std::string_view text) : s_(text) {}

  // One optional <?xml ...?> declaration, then exactly one root element, then whitespace.
  XmlElement parse_document() {
    check_characters();
    if (s_.substr(0, 5) == "<?xml") {
      const size_t end = s_.find("?>");
      if (end == std::string_view::npos) fail("unterminated XML declaration");
      pos_ = end + 2;
    }
    skip_whitespace();
    XmlElement root = parse_element();
    skip_whitespace();
    if (pos_ != s_.size()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("XML not well-formed at byte " + std::to_string(pos_) + ": " + what);
  }

  // Well-formed UTF-8 with only the characters XML 1.0 allows (U+FFFE/FFFF aside).
  void check_characters() {
    for (pos_ = 0; pos_ < s_.size();) {
      const unsigned char b = static_cast<unsigned char>(s_[pos_]);
      size_t extra = 0;
      if (b < 0x80) {
        if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') fail("control character");
      } else if (b >= 0xC2 && b <= 0xDF) {
        extra = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        extra = 2;
      } else if (b >= 0xF0 && b <= 0xF4) {
        extra = 3;
      } else {
        fail("invalid UTF-8 lead byte");
      }
      for (size_t i = 1; i <= extra; ++i)
        if (pos_ + i >= s_.size() || (static_cast<unsigned char>(s_[pos_ + i]) & 0xC0) != 0x80) fail("invalid UTF-8");
      pos_ += 1 + extra;
    }
    pos_ = 0;
  }

  void skip_whitespace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }

  static bool name_char(char c, bool first) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    return letter || (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
  }

  std::string parse_name() {
    const size_t start = pos_;
    while (pos_ < s_.size() && name_char(s_[pos_], pos_ == start)) ++pos_;
    if (pos_ == start) fail("expected a name");
    return std::string(s_.substr(start, pos_ - start));
  }

  void expect(char c) {
    if (pos_ >= s_.size() || s_[pos_] != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  // At '&': appends the decoded character (only the predefined entities and &#...; are legal).
  void parse_reference(std::string& out) {
    const size_t end = s_.find(';', pos_);
    if (end == std::string_view::npos || end - pos_ > 10) fail("'&' that starts no reference");
    const std::string_view name = s_.substr(pos_ + 1, end - pos_ - 1);
    static const std::map<std::string_view, char> predefined = {
        {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
    if (const auto it = predefined.find(name); it != predefined.end()) {
      out += it->second;
    } else if (name.size() > 1 && name[0] == '#') {
      const bool hex = name[1] == 'x';
      const unsigned long code = std::stoul(std::string(name.substr(hex ? 2 : 1)), nullptr, hex ? 16 : 10);
      if (code >= 0x80) fail("test parser decodes only ASCII character references");
      out += char(code);
    } else {
      fail("unknown entity &" + std::string(name) + ";");
    }
    pos_ = end + 1;
  }

  std::string parse_attribute_value() {
    if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) fail("attribute value without quotes");
    const char quote = s_[pos_++];
    std::string value;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '<') fail("'<' in an attribute value");
      if (s_[pos_] == '&') {
        parse_reference(value);
      } else {
        value += s_[pos_++];
      }
    }
    expect(quote);
    return value;
  }

  XmlElement parse_element() {
    expect('<');
    XmlElement element;
    element.name = parse_name();
    for (;;) {
      const size_t before = pos_;
      skip_whitespace();
      if (pos_ < s_.size() && (s_[pos_] == '/' || s_[pos_] == '>')) break;
      if (pos_ == before) fail("attributes must be separated by whitespace");
      const std::string key = parse_name();
      expect('=');
      if (!element.attributes.emplace(key, parse_attribute_value()).second) fail("duplicate attribute " + key);
    }
    if (s_.substr(pos_, 2) == "/>") {
      pos_ += 2;
      return element;
    }
    expect('>');
    for (;;) {
      if (pos_ >= s_.size()) fail("unclosed element <" + element.name + ">");
      if (s_.substr(pos_, 2) == "</") {
        pos_ += 2;
        if (parse_name() != element.name) fail("end tag does not match <" + element.name + ">");
        skip_whitespace();
        expect('>');
        return element;
      }
      if (s_.substr(pos_, 2) == "<!" || s_.substr(pos_, 2) == "<?") fail("comments, CDATA and processing instructions unsupported");
      if (s_[pos_] == '<') {
        element.children.push_back(parse_element());
      } else if (s_[pos_] == '&') {
        parse_reference(element.text);
      } else {
        if (s_.substr(pos_, 3) == "]]>") fail("']]>' in character data");
        element.text += s_[pos_++];
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

inline XmlElement parse_xml(std::string_view document) { return XmlParser(document).parse_document(); }

inline bool xmllint_available() { return std::system("command -v xmllint >/dev/null 2>&1") == 0; }

// Runs `xmllint --noout` on the document; returns its complaints, empty when well-formed.
inline std::string xmllint_errors(const std::string& document) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("tfm_viz_test_" + std::to_string(::getpid()) + ".svg");
  std::ofstream(file, std::ios::binary) << document;
  std::string output;
  FILE* pipe = ::popen(("xmllint --noout '" + file.string() + "' 2>&1").c_str(), "r");
  if (pipe == nullptr) return "could not start xmllint";
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = ::pclose(pipe);
  std::filesystem::remove(file);
  if (status != 0 && output.empty()) output = "xmllint exited with status " + std::to_string(status);
  return output;
}

}  // namespace tfm::viz::xml_check
