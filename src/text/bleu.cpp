#include "text/bleu.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <unordered_map>

#include "text/unicode.h"
#include "text/utf8.h"

namespace tfm::text {
namespace {

// n-grams of whitespace-free tokens, keyed by the tokens joined with single spaces.
using NgramCounts = std::array<std::unordered_map<std::u32string, int64_t>, kBleuMaxOrder>;

// sacreBLEU's _preprocess_segment: lowercase, rstrip, tokenize.
std::u32string preprocess(std::string_view line, const BleuOptions& options) {
  std::u32string text = decode_utf8(line);
  if (options.lowercase) text = python_lower(text);
  return tokenize(rstrip_whitespace(text), options.tokenizer);
}

// sacreBLEU's extract_all_word_ngrams: orders 1..4 over str.split() tokens.
NgramCounts count_ngrams(const std::vector<std::u32string_view>& tokens) {
  NgramCounts counts;
  for (int n = 1; n <= kBleuMaxOrder; ++n) {
    for (size_t start = 0; start + n <= tokens.size(); ++start) {
      std::u32string key(tokens[start]);
      for (int k = 1; k < n; ++k) {
        key += U' ';
        key.append(tokens[start + k]);
      }
      ++counts[n - 1][key];
    }
  }
  return counts;
}

// sacreBLEU's my_log: log(0) is "floored" to a huge negative number instead of -inf.
double floored_log(double x) { return x == 0.0 ? -9999999999.0 : std::log(x); }

double default_smooth_value(BleuSmoothing smoothing) { return smoothing == BleuSmoothing::kFloor ? 0.1 : 1.0; }

std::string_view smoothing_name(BleuSmoothing smoothing) {
  switch (smoothing) {
    case BleuSmoothing::kNone: return "none";
    case BleuSmoothing::kFloor: return "floor";
    case BleuSmoothing::kAddK: return "add-k";
    case BleuSmoothing::kExp: return "exp";
  }
  throw std::logic_error("unhandled BleuSmoothing");
}

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

}  // namespace

BleuSmoothing parse_bleu_smoothing(std::string_view name) {
  for (BleuSmoothing s : {BleuSmoothing::kNone, BleuSmoothing::kFloor, BleuSmoothing::kAddK, BleuSmoothing::kExp}) {
    if (name == smoothing_name(s)) return s;
  }
  throw std::invalid_argument("unknown BLEU smoothing '" + std::string(name) +
                              "' (expected none, floor, add-k or exp)");
}

BleuStats& BleuStats::operator+=(const BleuStats& other) {
  sys_len += other.sys_len;
  ref_len += other.ref_len;
  for (int n = 0; n < kBleuMaxOrder; ++n) {
    counts[n] += other.counts[n];
    totals[n] += other.totals[n];
  }
  return *this;
}

BleuStats bleu_sentence_stats(std::string_view hyp, std::string_view ref, const BleuOptions& options) {
  const std::u32string hyp_text = preprocess(hyp, options);
  const std::u32string ref_text = preprocess(ref, options);
  const std::vector<std::u32string_view> hyp_tokens = split_whitespace(hyp_text);
  const std::vector<std::u32string_view> ref_tokens = split_whitespace(ref_text);
  const NgramCounts hyp_ngrams = count_ngrams(hyp_tokens);
  const NgramCounts ref_ngrams = count_ngrams(ref_tokens);

  BleuStats stats;
  stats.sys_len = static_cast<int64_t>(hyp_tokens.size());
  stats.ref_len = static_cast<int64_t>(ref_tokens.size());
  for (int n = 0; n < kBleuMaxOrder; ++n) {
    for (const auto& [ngram, count] : hyp_ngrams[n]) {
      stats.totals[n] += count;
      const auto hit = ref_ngrams[n].find(ngram);
      if (hit != ref_ngrams[n].end()) stats.counts[n] += std::min(count, hit->second);
    }
  }
  return stats;
}

BleuScore compute_bleu(const BleuStats& stats, const BleuOptions& options) {
  // Follows sacreBLEU's BLEU.compute_bleu statement by statement, so that the floating
  // point operations happen in the same order.
  BleuScore result;
  result.stats = stats;
  result.ratio = stats.ref_len ? double(stats.sys_len) / double(stats.ref_len) : 0.0;
  result.bp = 1.0;
  if (stats.sys_len < stats.ref_len) {
    result.bp = stats.sys_len > 0 ? std::exp(1.0 - double(stats.ref_len) / double(stats.sys_len)) : 0.0;
  }

  bool any_match = false;
  for (int64_t c : stats.counts) any_match = any_match || c != 0;
  if (!any_match) return result;  // score and precisions stay 0 (sacreBLEU issue #141)

  const double smooth_value = options.smooth_value.value_or(default_smooth_value(options.smoothing));
  double smooth_mteval = 1.0;
  int effective_order = kBleuMaxOrder;
  for (int n = 1; n <= kBleuMaxOrder; ++n) {
    double correct = double(stats.counts[n - 1]);
    double total = double(stats.totals[n - 1]);
    if (options.smoothing == BleuSmoothing::kAddK && n > 1) {
      correct += smooth_value;
      total += smooth_value;
    }
    if (total == 0) break;
    if (options.effective_order) effective_order = n;

    double& precision = result.precisions[n - 1];
    if (correct == 0) {
      if (options.smoothing == BleuSmoothing::kExp) {
        smooth_mteval *= 2;
        precision = 100.0 / (smooth_mteval * total);
      } else if (options.smoothing == BleuSmoothing::kFloor) {
        precision = 100.0 * smooth_value / total;
      }
    } else {
      precision = 100.0 * correct / total;
    }
  }

  double log_sum = 0.0;
  for (int n = 0; n < effective_order; ++n) log_sum += floored_log(result.precisions[n]);
  result.score = result.bp * std::exp(log_sum / effective_order);
  return result;
}

BleuScore corpus_bleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                      const BleuOptions& options) {
  assert(hyps.size() == refs.size());
  BleuStats stats;
  for (size_t i = 0; i < hyps.size(); ++i) stats += bleu_sentence_stats(hyps[i], refs[i], options);
  return compute_bleu(stats, options);
}

BleuScore sentence_bleu(std::string_view hyp, std::string_view ref, const BleuOptions& options) {
  return compute_bleu(bleu_sentence_stats(hyp, ref, options), options);
}

Signature bleu_signature(const BleuOptions& options) {
  std::string smooth(smoothing_name(options.smoothing));
  if (options.smoothing == BleuSmoothing::kFloor || options.smoothing == BleuSmoothing::kAddK) {
    smooth += format("[%.2f]", options.smooth_value.value_or(default_smooth_value(options.smoothing)));
  }
  return {{{"nrefs", "1"},
           {"case", options.lowercase ? "lc" : "mixed"},
           {"eff", options.effective_order ? "yes" : "no"},
           {"tok", std::string(bleu_tokenizer_name(options.tokenizer))},
           {"smooth", smooth},
           {"version", kSacreBleuVersion}}};
}

MetricReport bleu_report(const BleuScore& score, const BleuOptions& options) {
  std::string verbose;
  for (int n = 0; n < kBleuMaxOrder; ++n) {
    if (n > 0) verbose += '/';
    verbose += format("%.1f", score.precisions[n]);
  }
  verbose += " (BP = " + format("%.3f", score.bp) + " ratio = " + format("%.3f", score.ratio) +
             " hyp_len = " + std::to_string(score.stats.sys_len) +
             " ref_len = " + std::to_string(score.stats.ref_len) + ")";
  return {"BLEU", score.score, verbose, bleu_signature(options)};
}

}  // namespace tfm::text
