// tfm::bleu and tfm::chrf: the corpus scores `tfm bleu` prints, from text/bleu and text/chrf.
#include "tfm/metrics.h"

#include <stdexcept>

#include "text/bleu.h"
#include "text/chrf.h"
#include "text/utf8.h"

namespace tfm {

namespace {

void check_pairs(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references) {
  if (hypotheses.size() != references.size())
    throw std::invalid_argument(std::to_string(hypotheses.size()) + " hypotheses but " +
                                std::to_string(references.size()) + " references");
  for (const auto& [lines, what] : {std::pair{&hypotheses, "hypothesis"}, std::pair{&references, "reference"}})
    for (size_t i = 0; i < lines->size(); ++i)
      if (const auto invalid = text::find_invalid_utf8((*lines)[i]))
        throw std::invalid_argument(std::string(what) + " " + std::to_string(i) + ": invalid UTF-8 at byte " +
                                    std::to_string(invalid->byte_offset + 1) + " (" + invalid->detail + ")");
}

}  // namespace

BleuResult bleu(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references,
                const BleuOptions& options) {
  check_pairs(hypotheses, references);
  text::BleuOptions o;
  o.tokenizer = text::parse_bleu_tokenizer(options.tokenize);
  o.lowercase = options.lowercase;
  const text::BleuScore s = text::corpus_bleu(hypotheses, references, o);
  BleuResult r;
  r.score = s.score;
  r.precisions = s.precisions;
  r.brevity_penalty = s.bp;
  r.length_ratio = s.ratio;
  r.hypothesis_length = s.stats.sys_len;
  r.reference_length = s.stats.ref_len;
  r.signature = text::bleu_signature(o).str();
  return r;
}

ChrfResult chrf(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references,
                const ChrfOptions& options) {
  check_pairs(hypotheses, references);
  if (options.word_order < 0) throw std::invalid_argument("word_order may not be negative");
  text::ChrfOptions o;
  o.word_order = options.word_order;
  o.lowercase = options.lowercase;
  return {text::corpus_chrf(hypotheses, references, o).score, text::chrf_name(o), text::chrf_signature(o).str()};
}

}  // namespace tfm
