#pragma once
// BLEU (Papineni et al., 2002) exactly as sacreBLEU 2.6.0 computes it, with one reference
// per hypothesis: same tokenization, n-gram counting, smoothing, brevity penalty and
// arithmetic order, so scores agree to the last bit or nearly so.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/sacrebleu_report.h"
#include "text/sacrebleu_tokenizers.h"

namespace tfm::text {

inline constexpr int kBleuMaxOrder = 4;

// Chen & Cherry (2014) smoothing methods: none; floor (method 1: a zero count becomes
// `value`, default 0.1); add-k (method 2: add `value`, default 1, to the counts of
// orders 2-4); exp (method 3, mteval-v13a's: the k-th zero-match order gets 1/2^k).
enum class BleuSmoothing { kNone, kFloor, kAddK, kExp };

struct BleuOptions {
  BleuTokenizer tokenizer = BleuTokenizer::k13a;
  bool lowercase = false;  // Python's str.lower() before tokenizing
  BleuSmoothing smoothing = BleuSmoothing::kExp;
  std::optional<double> smooth_value;  // for floor and add-k; empty: their default
  // Average only over the orders for which the hypothesis has n-grams: what sacreBLEU's
  // -sl (sentence level) turns on, so that short sentences can score above zero.
  bool effective_order = false;
};

// Parses "none", "floor", "add-k" or "exp"; throws std::invalid_argument.
BleuSmoothing parse_bleu_smoothing(std::string_view name);

// The sufficient statistics of one sentence, or summed over a corpus.
struct BleuStats {
  int64_t sys_len = 0;  // hypothesis tokens
  int64_t ref_len = 0;  // reference tokens
  std::array<int64_t, kBleuMaxOrder> counts{};  // matched n-grams (clipped by the reference)
  std::array<int64_t, kBleuMaxOrder> totals{};  // hypothesis n-grams
  BleuStats& operator+=(const BleuStats& other);
};

struct BleuScore {
  double score = 0.0;                             // 0..100
  std::array<double, kBleuMaxOrder> precisions{};  // percent, after smoothing
  double bp = 0.0;                                // brevity penalty
  double ratio = 0.0;                             // sys_len / ref_len (0 when ref_len is 0)
  // The raw counts. (sacreBLEU's add-k also adds k to the order 2-4 counts and totals
  // that it reports, when anything matched.)
  BleuStats stats;
};

// hyp and ref are UTF-8 (already validated, e.g. by read_segments).
BleuStats bleu_sentence_stats(std::string_view hyp, std::string_view ref, const BleuOptions& options);
BleuScore compute_bleu(const BleuStats& stats, const BleuOptions& options);

// hyps.size() must equal refs.size().
BleuScore corpus_bleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                      const BleuOptions& options);
BleuScore sentence_bleu(std::string_view hyp, std::string_view ref, const BleuOptions& options);

// nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0
Signature bleu_signature(const BleuOptions& options);
// Name, score, "67.1/42.3/28.2/19.4 (BP = 1.000 ratio = 1.010 hyp_len = 12230 ref_len = 12106)"
// and signature, for printing.
MetricReport bleu_report(const BleuScore& score, const BleuOptions& options);

}  // namespace tfm::text
