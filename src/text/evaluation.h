#pragma once
// What `tfm bleu` does: scores hypotheses against references with BLEU, chrF or chrF++
// and prints the result as sacreBLEU's command line does
// (`sacrebleu REF -i HYP -m bleu|chrf [-cw 2] [-tok T] [-lc] [-sl] [-b] [-w N] [-f text]`).
//
// Output, as sacreBLEU 2.6.0 prints it:
//   corpus level, default: the JSON object of Score.format(is_json=True)
//     ({"name": "BLEU", "score": 35.1, "signature": ..., "verbose_score": ..., fields...})
//   corpus level, text format: "BLEU|nrefs:1|...|version:2.6.0 = 35.1 67.1/42.3/..."
//   sentence level: that text line for every sentence (sacreBLEU never prints JSON there)
//   score only: just the score ("35.1"), once or per sentence.
// Scores have `width` decimals (sacreBLEU's -w, default 1).
//
// Differences from the sacrebleu command line: one reference file and one system only;
// standard input is read like a file, split on "\n" only (sacreBLEU's standard input also
// breaks lines at "\r" and reads tab-separated columns as several systems); `lowercase`
// applies to whichever metric is chosen (sacreBLEU: -lc for BLEU, --chrf-lowercase for
// chrF); gzip files are recognised by their content, not by a .gz name.
#include <string>
#include <string_view>

#include "text/bleu.h"
#include "text/chrf.h"
#include "text/segments.h"

namespace tfm::text {

enum class Metric { kBleu, kChrf, kChrfPlusPlus };
enum class ReportFormat { kJson, kText, kScoreOnly };

// "bleu", "chrf" or "chrf++"; throws std::invalid_argument.
Metric parse_metric(std::string_view name);

struct EvaluationOptions {
  Metric metric = Metric::kBleu;
  BleuTokenizer tokenizer = BleuTokenizer::k13a;  // BLEU only
  bool lowercase = false;        // for chrF too (sacreBLEU's --chrf-lowercase)
  bool sentence_level = false;   // one score per line; turns on BLEU's effective order
  ReportFormat format = ReportFormat::kJson;
  int width = 1;
};

// The text to print, ending in "\n". Throws std::runtime_error when the two have
// different line counts (naming both counts and sources) or no lines at all.
std::string evaluate(const Segments& hyps, const Segments& refs, const EvaluationOptions& options);

}  // namespace tfm::text
