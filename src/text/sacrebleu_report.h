#pragma once
// A metric result as sacreBLEU reports it: its name, score, verbose details and
// reproducibility signature, printed in the formats of sacreBLEU's command line.
#include <string>
#include <utility>
#include <vector>

namespace tfm::text {

// Ordered key:value pairs such as nrefs:1|case:mixed|...|version:2.6.0.
struct Signature {
  std::vector<std::pair<std::string, std::string>> fields;
  std::string str() const;  // the pairs joined by '|'
};

// The sacreBLEU version whose behaviour and signature we reproduce.
inline constexpr const char* kSacreBleuVersion = "2.6.0";

struct MetricReport {
  std::string name;     // "BLEU", "chrF2", "chrF2++"
  double score = 0.0;   // 0..100
  std::string verbose;  // BLEU's "67.1/42.3/28.2/19.4 (BP = ...)"; empty for chrF
  Signature signature;
};

// The score with `width` decimals, as sacreBLEU's -b/--score-only prints it: "35.10".
std::string format_score_only(const MetricReport& report, int width);
// "BLEU = 35.10 67.1/42.3/... (BP = ...)", or with the signature
// "BLEU|nrefs:1|...|version:2.6.0 = 35.10 67.1/...": sacreBLEU's text format.
std::string format_score_line(const MetricReport& report, int width, bool with_signature);
// sacreBLEU's default corpus-level output (Score.format(is_json=True)): json.dumps with
// indent 1 of name, score rounded to `width` decimals, signature, verbose_score (if any),
// then every signature field.
std::string format_score_json(const MetricReport& report, int width);

// Python's repr() of a float: the shortest digits that read back to the same double,
// "35.1", "100.0", "1e-05".
std::string python_float_repr(double value);

}  // namespace tfm::text
