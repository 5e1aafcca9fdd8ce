#pragma once
// Corpus BLEU and chrF of detokenized translations against one reference each, identical to
// `tfm bleu` and to sacreBLEU 2.6.0 with the same settings.
#include <array>
#include <string>
#include <vector>

namespace tfm {

struct BleuOptions {
  std::string tokenize = "13a";  // "13a", "intl" or "none"
  bool lowercase = false;
};

struct BleuResult {
  double score = 0.0;                    // 0..100
  std::array<double, 4> precisions{};    // n-gram precisions, percent
  double brevity_penalty = 0.0;
  double length_ratio = 0.0;             // hypothesis length / reference length
  long long hypothesis_length = 0;
  long long reference_length = 0;
  std::string signature;                 // sacreBLEU's, e.g. "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"
};

struct ChrfOptions {
  int word_order = 0;  // 2: chrF++
  bool lowercase = false;
};

struct ChrfResult {
  double score = 0.0;  // 0..100
  std::string name;    // "chrF2" or "chrF2++"
  std::string signature;
};

// hypotheses and references line up one to one; throws std::invalid_argument when their
// counts differ or either holds invalid UTF-8.
BleuResult bleu(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references,
                const BleuOptions& options = {});
ChrfResult chrf(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references,
                const ChrfOptions& options = {});

}  // namespace tfm
