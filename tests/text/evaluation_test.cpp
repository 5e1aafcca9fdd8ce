// What `tfm bleu` prints and how it fails (it calls evaluate()); the exact output on real
// sacreBLEU runs is checked by the fixture test.
#include "text/evaluation.h"

#include <gtest/gtest.h>

#include <string>

#include "support/error_message.h"

namespace tfm::text {
namespace {

std::string error_of(const Segments& hyps, const Segments& refs) {
  return tfm::testing::error_of([&] { evaluate(hyps, refs, {}); });
}

TEST(Evaluation, LineCountMismatchNamesBothCounts) {
  const std::string message = error_of({"hyp.txt", {"a", "b"}}, {"ref.txt", {"a", "b", "c"}});
  EXPECT_NE(message.find("2 hypotheses in hyp.txt"), std::string::npos) << message;
  EXPECT_NE(message.find("3 references in ref.txt"), std::string::npos) << message;
  EXPECT_NE(error_of({"<stdin>", {}}, {"ref.txt", {}}).find("no hypotheses"), std::string::npos);
}

TEST(Evaluation, PrintsOneLinePerSentenceAtSentenceLevel) {
  EvaluationOptions options;
  options.sentence_level = true;
  options.format = ReportFormat::kScoreOnly;
  EXPECT_EQ(evaluate({"h", {"a b c d", "x"}}, {"r", {"a b c d", "y"}}, options), "100.0\n0.0\n");
  options.metric = Metric::kChrf;
  options.format = ReportFormat::kJson;  // sacreBLEU prints text lines at sentence level anyway
  EXPECT_EQ(evaluate({"h", {"abc"}}, {"r", {"abc"}}, options),
            "chrF2|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0 = 100.0\n");
}

TEST(Evaluation, ParsesMetricNames) {
  EXPECT_EQ(parse_metric("chrf++"), Metric::kChrfPlusPlus);
  EXPECT_THROW(parse_metric("ter"), std::invalid_argument);
}

TEST(SacreBleuReport, JsonHasScoreRoundedToWidthAndEverySignatureField) {
  const MetricReport report{"chrF2", 52.5498, "", {{{"nrefs", "1"}, {"version", "2.6.0"}}}};
  EXPECT_EQ(format_score_json(report, 2),
            "{\n \"name\": \"chrF2\",\n \"score\": 52.55,\n \"signature\": \"nrefs:1|version:2.6.0\",\n"
            " \"nrefs\": \"1\",\n \"version\": \"2.6.0\"\n}");
  EXPECT_EQ(format_score_only(report, 0), "53");
  EXPECT_EQ(format_score_line(report, 3, true), "chrF2|nrefs:1|version:2.6.0 = 52.550");
}

TEST(SacreBleuReport, PythonFloatRepr) {
  // expected strings are Python 3's repr()
  EXPECT_EQ(python_float_repr(35.1), "35.1");
  EXPECT_EQ(python_float_repr(100.0), "100.0");
  EXPECT_EQ(python_float_repr(0.0), "0.0");
  EXPECT_EQ(python_float_repr(-0.5), "-0.5");
  EXPECT_EQ(python_float_repr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(0.00012345), "0.00012345");
  EXPECT_EQ(python_float_repr(1e-05), "1e-05");
  EXPECT_EQ(python_float_repr(5e-324), "5e-324");
  EXPECT_EQ(python_float_repr(123456789012345.6), "123456789012345.6");
  EXPECT_EQ(python_float_repr(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1.5e300), "1.5e+300");
  EXPECT_EQ(python_float_repr(12345678901234567890.0), "1.2345678901234567e+19");
}

}  // namespace
}  // namespace tfm::text
