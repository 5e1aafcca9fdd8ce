#include "text/evaluation.h"

#include <stdexcept>

namespace tfm::text {
namespace {

BleuOptions bleu_options(const EvaluationOptions& options) {
  BleuOptions bleu;
  bleu.tokenizer = options.tokenizer;
  bleu.lowercase = options.lowercase;
  bleu.effective_order = options.sentence_level;  // as sacreBLEU's -sl does
  return bleu;
}

ChrfOptions chrf_options(const EvaluationOptions& options) {
  ChrfOptions chrf;
  chrf.word_order = options.metric == Metric::kChrfPlusPlus ? 2 : 0;
  chrf.lowercase = options.lowercase;
  return chrf;
}

MetricReport score(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                   const EvaluationOptions& options) {
  if (options.metric == Metric::kBleu) {
    const BleuOptions bleu = bleu_options(options);
    return bleu_report(corpus_bleu(hyps, refs, bleu), bleu);
  }
  const ChrfOptions chrf = chrf_options(options);
  return chrf_report(corpus_chrf(hyps, refs, chrf), chrf);
}

std::string format_report(const MetricReport& report, const EvaluationOptions& options) {
  switch (options.format) {
    case ReportFormat::kScoreOnly: return format_score_only(report, options.width);
    case ReportFormat::kText: return format_score_line(report, options.width, true);
    case ReportFormat::kJson:
      return options.sentence_level ? format_score_line(report, options.width, true)
                                    : format_score_json(report, options.width);
  }
  throw std::logic_error("unhandled ReportFormat");
}

}  // namespace

Metric parse_metric(std::string_view name) {
  if (name == "bleu") return Metric::kBleu;
  if (name == "chrf") return Metric::kChrf;
  if (name == "chrf++") return Metric::kChrfPlusPlus;
  throw std::invalid_argument("unknown metric '" + std::string(name) + "' (expected bleu, chrf or chrf++)");
}

std::string evaluate(const Segments& hyps, const Segments& refs, const EvaluationOptions& options) {
  if (hyps.lines.size() != refs.lines.size()) {
    throw std::runtime_error("line count mismatch: " + std::to_string(hyps.lines.size()) + " hypotheses in " +
                             hyps.source + " but " + std::to_string(refs.lines.size()) + " references in " +
                             refs.source);
  }
  if (hyps.lines.empty()) throw std::runtime_error("no hypotheses in " + hyps.source);

  if (!options.sentence_level) return format_report(score(hyps.lines, refs.lines, options), options) + "\n";
  std::string out;
  for (size_t i = 0; i < hyps.lines.size(); ++i) {
    out += format_report(score({hyps.lines[i]}, {refs.lines[i]}, options), options) + "\n";
  }
  return out;
}

}  // namespace tfm::text
