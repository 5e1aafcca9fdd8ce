#include "viz/svg.h"

#include <gtest/gtest.h>

#include "viz/utf8.h"
#include "viz/xml_checker.h"

namespace tfm::viz {
namespace {

// Labels a SentencePiece vocabulary really produces, and the characters XML reserves.
const std::vector<std::string> kNastyLabels = {
    "a<b&c>\"d'e", "▁Haus", "<unk>", "</s>", "&amp;", "\"", "'", "ü", "日本語", "😀", "▁<0xE3>", "]]>",
};

TEST(EscapeXml, EscapesTheFiveReservedCharacters) {
  EXPECT_EQ(escape_xml("a<b&c>\"d'e"), "a&lt;b&amp;c&gt;&quot;d&apos;e");
  EXPECT_EQ(escape_xml("&amp;"), "&amp;amp;");
}

TEST(EscapeXml, KeepsWellFormedUnicodeTabsAndNewlines) {
  for (const std::string text : {"▁Haus", "ü", "日本語", "😀", "a\tb\nc\rd"}) EXPECT_EQ(escape_xml(text), text);
}

TEST(EscapeXml, ReplacesWhatXmlCannotCarry) {
  const std::string r = "\xEF\xBF\xBD";  // U+FFFD
  EXPECT_EQ(escape_xml("a\x01z"), "a" + r + "z");             // control character
  EXPECT_EQ(escape_xml(std::string("a\0z", 3)), "a" + r + "z");
  EXPECT_EQ(escape_xml("a\xFFz"), "a" + r + "z");             // never a UTF-8 byte
  EXPECT_EQ(escape_xml("a\xC3"), "a" + r);                    // sequence cut short
  EXPECT_EQ(escape_xml("\xC3z"), r + "z");                    // continuation byte missing
  EXPECT_EQ(escape_xml("\xC0\xAF"), r + r);                   // overlong "/"
  EXPECT_EQ(escape_xml("\xED\xA0\x80"), r + r + r);           // UTF-16 surrogate
  EXPECT_EQ(escape_xml("\xEF\xBF\xBF"), r);                   // U+FFFF, not an XML character
}

TEST(Utf8, LengthCountsCharactersNotBytes) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("▁Haus"), 5u);  // U+2581 is 3 bytes
  EXPECT_EQ(utf8_length("日本語"), 3u);
  EXPECT_EQ(utf8_length("😀x"), 2u);
  EXPECT_EQ(utf8_length("a\xFF"), 2u);  // an ill-formed byte counts as one character
}

TEST(Utf8, TruncationKeepsWholeCharactersAndEndsWithEllipsis) {
  EXPECT_EQ(truncate_with_ellipsis("▁Donaudampfschiff", 6), "▁Dona…");
  EXPECT_EQ(truncate_with_ellipsis("日本語テキスト", 4), "日本語…");
  EXPECT_EQ(truncate_with_ellipsis("😀😀😀", 2), "😀…");
  EXPECT_EQ(truncate_with_ellipsis("abc", 1), "…");
  // Short enough: unchanged, even when its bytes outnumber max_chars.
  EXPECT_EQ(truncate_with_ellipsis("日本語", 3), "日本語");
  EXPECT_EQ(truncate_with_ellipsis("", 3), "");
  // Every cut of a long mixed label stays well-formed UTF-8 of exactly max_chars characters.
  const std::string label = "▁a日😀ü<b>▁c日😀ü";
  for (size_t max_chars = 1; max_chars < utf8_length(label); ++max_chars) {
    const std::string cut = truncate_with_ellipsis(label, max_chars);
    EXPECT_EQ(utf8_length(cut), max_chars);
    EXPECT_EQ(escape_xml(cut).find("\xEF\xBF\xBD"), std::string::npos) << cut;
    EXPECT_EQ(cut.substr(cut.size() - 3), "…");
  }
}

TEST(FormatCoordinate, ShortLocaleIndependentText) {
  EXPECT_EQ(format_coordinate(12.0), "12");
  EXPECT_EQ(format_coordinate(12.5), "12.5");
  EXPECT_EQ(format_coordinate(3.14159), "3.14");
  EXPECT_EQ(format_coordinate(-0.25), "-0.25");
  EXPECT_EQ(format_coordinate(-0.001), "0");
  EXPECT_EQ(format_coordinate(1234567.0), "1234567");
}

std::string document_with_labels() {
  SvgDocument svg(200, 100);
  svg.begin_group("panel", "group tooltip <&>", {10, 20});
  for (size_t i = 0; i < kNastyLabels.size(); ++i) {
    TextStyle style;
    style.rotate_degrees = i % 2 ? -90.0 : 0.0;
    style.anchor = i % 3 == 0 ? Anchor::middle : Anchor::end;
    style.centred_vertically = true;
    svg.text({5.0 * double(i), 10.0}, kNastyLabels[i], style);
    svg.rect(1, 2, 3, 4, {"#440154", "none", 1.0, ""}, kNastyLabels[i] + " → x: 0.5");
  }
  svg.end_group();
  svg.line({0, 0}, {10, 10}, {"none", "#000000", 1.5, "4 2"});
  svg.polyline({{0, 0}, {1, 2.5}, {3, 4}}, {"none", "#0072b2", 2.0, ""});
  svg.circle({5, 5}, 2, {"#d55e00", "none", 1.0, ""}, "dot");
  return svg.render();
}

TEST(SvgDocument, LabelsSurviveTheRoundTripThroughXml) {
  const std::string document = document_with_labels();
  xml_check::XmlElement root;
  ASSERT_NO_THROW(root = xml_check::parse_xml(document));
  EXPECT_EQ(root.name, "svg");
  EXPECT_EQ(root.attribute("xmlns"), "http://www.w3.org/2000/svg");
  EXPECT_EQ(root.attribute("width"), "200");
  EXPECT_EQ(root.attribute("viewBox"), "0 0 200 100");

  const auto groups = root.descendants("g");
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0]->attribute("class"), "panel");
  EXPECT_EQ(groups[0]->attribute("transform"), "translate(10 20)");
  ASSERT_NE(groups[0]->child("title"), nullptr);
  EXPECT_EQ(groups[0]->child("title")->text, "group tooltip <&>");

  const auto texts = groups[0]->descendants("text");
  const auto rects = groups[0]->descendants("rect");
  ASSERT_EQ(texts.size(), kNastyLabels.size());
  ASSERT_EQ(rects.size(), kNastyLabels.size());
  for (size_t i = 0; i < kNastyLabels.size(); ++i) {
    EXPECT_EQ(texts[i]->text, kNastyLabels[i]);
    ASSERT_NE(rects[i]->child("title"), nullptr);
    EXPECT_EQ(rects[i]->child("title")->text, kNastyLabels[i] + " → x: 0.5");
  }
  EXPECT_EQ(texts[1]->attribute("transform"), "rotate(-90 5 10)");
  EXPECT_EQ(texts[0]->attribute("text-anchor"), "middle");
  EXPECT_EQ(root.descendants("line").at(0)->attribute("stroke-dasharray"), "4 2");
  EXPECT_EQ(root.descendants("polyline").at(0)->attribute("points"), "0,0 1,2.5 3,4");
  EXPECT_EQ(root.descendants("circle").at(0)->child("title")->text, "dot");
}

TEST(SvgDocument, XmllintAcceptsTheDocument) {
  if (!xml_check::xmllint_available()) GTEST_SKIP() << "xmllint not installed (Debian package libxml2-utils)";
  EXPECT_EQ(xml_check::xmllint_errors(document_with_labels()), "");
}

TEST(XmlChecker, RejectsWhatIsNotWellFormed) {
  // The checker must be able to fail, or the tests above prove nothing.
  for (const std::string bad : {"<a>x<y</a>", "<a>&</a>", "<a b=\"<\"/>", "<a></b>", "<a>", "<a/><b/>",
                                "<a b=\"1\" b=\"2\"/>", "<a>\x01</a>", "<a>\xFF</a>", "<a>&nbsp;</a>"})
    EXPECT_THROW(xml_check::parse_xml(bad), std::runtime_error) << bad;
  if (xml_check::xmllint_available()) {
    EXPECT_NE(xml_check::xmllint_errors("<a>&</a>"), "");
  }
}

}  // namespace
}  // namespace tfm::viz
