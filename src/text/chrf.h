#pragma once
// chrF (Popović, 2015) and chrF++ (Popović, 2017) exactly as sacreBLEU 2.6.0 computes
// them, with one reference per hypothesis: character n-grams of the line with all
// whitespace removed, plus (chrF++) word n-grams, and sacreBLEU's default "effective
// order" averaging (signature eff:yes), not the epsilon smoothing of chrF++.py.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "text/sacrebleu_report.h"

namespace tfm::text {

struct ChrfOptions {
  int char_order = 6;  // character n-gram orders 1..char_order
  int word_order = 0;  // word n-gram orders 1..word_order; 2 makes it chrF++
  int beta = 2;        // recall is beta times as important as precision
  bool lowercase = false;
};

// Counts for one n-gram order, of one sentence or summed over a corpus.
struct NgramMatches {
  int64_t hyp = 0;    // hypothesis n-grams (0 when the reference has none of this order)
  int64_t ref = 0;    // reference n-grams
  int64_t match = 0;  // hypothesis n-grams found in the reference, clipped by its counts
  bool operator==(const NgramMatches&) const = default;
  NgramMatches& operator+=(const NgramMatches& other) {
    hyp += other.hyp;
    ref += other.ref;
    match += other.match;
    return *this;
  }
};

// Character orders 1..char_order, then word orders 1..word_order.
using ChrfStats = std::vector<NgramMatches>;

struct ChrfScore {
  double score = 0.0;  // 0..100
  ChrfStats stats;
};

// hyp and ref are UTF-8 (already validated, e.g. by read_segments).
ChrfStats chrf_sentence_stats(std::string_view hyp, std::string_view ref, const ChrfOptions& options);
// F-beta of the precision and recall averaged over the orders where both the hypothesis
// and the reference have n-grams; 0 when there are none.
double chrf_f_score(const ChrfStats& stats, const ChrfOptions& options);

// hyps.size() must equal refs.size().
ChrfScore corpus_chrf(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                      const ChrfOptions& options);
ChrfScore sentence_chrf(std::string_view hyp, std::string_view ref, const ChrfOptions& options);

// "chrF2", or "chrF2++" for word order 2.
std::string chrf_name(const ChrfOptions& options);
// nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0
Signature chrf_signature(const ChrfOptions& options);
MetricReport chrf_report(const ChrfScore& score, const ChrfOptions& options);

}  // namespace tfm::text
