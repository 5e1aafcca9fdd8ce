#include "text/chrf.h"

#include <algorithm>
#include <cassert>
#include <unordered_map>

#include "text/unicode.h"
#include "text/utf8.h"

namespace tfm::text {
namespace {

using Counter = std::unordered_map<std::u32string, int64_t>;

// sacreBLEU's extract_all_char_ngrams: character n-grams of the line with every
// whitespace character removed (''.join(line.split())).
std::vector<Counter> char_ngrams(std::u32string_view text, int max_order) {
  std::u32string joined;
  for (std::u32string_view word : split_whitespace(text)) joined.append(word);
  std::vector<Counter> counters(max_order);
  for (int n = 1; n <= max_order; ++n) {
    for (size_t start = 0; start + n <= joined.size(); ++start) ++counters[n - 1][joined.substr(start, n)];
  }
  return counters;
}

// chrF++'s primitive word tokenization (sacreBLEU's CHRF._remove_punctuation): one ASCII
// punctuation character is split off the end of a word, or else off its start, so
// "(hi)" gives "(hi" and ")".
std::vector<std::u32string> words_for_chrf(std::u32string_view text) {
  const auto is_ascii_punctuation = [](char32_t c) {
    return std::u32string_view(U"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~").find(c) != std::u32string_view::npos;
  };
  std::vector<std::u32string> words;
  for (std::u32string_view w : split_whitespace(text)) {
    if (w.size() > 1 && is_ascii_punctuation(w.back())) {
      words.emplace_back(w.substr(0, w.size() - 1));
      words.emplace_back(w.substr(w.size() - 1));
    } else if (w.size() > 1 && is_ascii_punctuation(w.front())) {
      words.emplace_back(w.substr(0, 1));
      words.emplace_back(w.substr(1));
    } else {
      words.emplace_back(w);
    }
  }
  return words;
}

// sacreBLEU's extract_word_ngrams: n-grams keyed by the words joined with spaces.
Counter word_ngrams(const std::vector<std::u32string>& words, int n) {
  Counter counter;
  for (size_t start = 0; start + n <= words.size(); ++start) {
    std::u32string key = words[start];
    for (int k = 1; k < n; ++k) key += U' ' + words[start + k];
    ++counter[key];
  }
  return counter;
}

std::vector<Counter> all_ngrams(std::string_view line, const ChrfOptions& options) {
  std::u32string text = decode_utf8(line);
  if (options.lowercase) text = python_lower(text);
  std::vector<Counter> counters = char_ngrams(text, options.char_order);
  if (options.word_order > 0) {
    const std::vector<std::u32string> words = words_for_chrf(text);
    for (int n = 1; n <= options.word_order; ++n) counters.push_back(word_ngrams(words, n));
  }
  return counters;
}

// sacreBLEU's CHRF._get_match_statistics.
NgramMatches match(const Counter& hyp, const Counter& ref) {
  NgramMatches m;
  for (const auto& [ngram, count] : hyp) {
    m.hyp += count;
    const auto hit = ref.find(ngram);
    if (hit != ref.end()) m.match += std::min(count, hit->second);
  }
  if (ref.empty()) m.hyp = 0;  // sacreBLEU does not count hypothesis n-grams then
  for (const auto& [ngram, count] : ref) m.ref += count;
  return m;
}

}  // namespace

ChrfStats chrf_sentence_stats(std::string_view hyp, std::string_view ref, const ChrfOptions& options) {
  const std::vector<Counter> hyp_ngrams = all_ngrams(hyp, options);
  const std::vector<Counter> ref_ngrams = all_ngrams(ref, options);
  ChrfStats stats;
  for (size_t order = 0; order < hyp_ngrams.size(); ++order) stats.push_back(match(hyp_ngrams[order], ref_ngrams[order]));
  return stats;
}

double chrf_f_score(const ChrfStats& stats, const ChrfOptions& options) {
  // Follows sacreBLEU's CHRF._compute_f_score (without eps smoothing) operation by operation.
  const int factor = options.beta * options.beta;
  double avg_prec = 0.0, avg_rec = 0.0;
  int effective_order = 0;
  for (const NgramMatches& m : stats) {
    if (m.hyp > 0 && m.ref > 0) {
      avg_prec += double(m.match) / double(m.hyp);
      avg_rec += double(m.match) / double(m.ref);
      ++effective_order;
    }
  }
  if (effective_order == 0) return 0.0;
  avg_prec /= effective_order;
  avg_rec /= effective_order;
  if (avg_prec + avg_rec == 0.0) return 0.0;
  double score = (1 + factor) * avg_prec * avg_rec;
  score /= (factor * avg_prec) + avg_rec;
  return 100 * score;
}

ChrfScore corpus_chrf(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                      const ChrfOptions& options) {
  assert(hyps.size() == refs.size());
  ChrfScore result;
  result.stats.resize(options.char_order + options.word_order);
  for (size_t i = 0; i < hyps.size(); ++i) {
    const ChrfStats line = chrf_sentence_stats(hyps[i], refs[i], options);
    for (size_t order = 0; order < line.size(); ++order) result.stats[order] += line[order];
  }
  result.score = chrf_f_score(result.stats, options);
  return result;
}

ChrfScore sentence_chrf(std::string_view hyp, std::string_view ref, const ChrfOptions& options) {
  ChrfScore result;
  result.stats = chrf_sentence_stats(hyp, ref, options);
  result.score = chrf_f_score(result.stats, options);
  return result;
}

std::string chrf_name(const ChrfOptions& options) {
  return "chrF" + std::to_string(options.beta) + std::string(options.word_order, '+');
}

Signature chrf_signature(const ChrfOptions& options) {
  return {{{"nrefs", "1"},
           {"case", options.lowercase ? "lc" : "mixed"},
           {"eff", "yes"},
           {"nc", std::to_string(options.char_order)},
           {"nw", std::to_string(options.word_order)},
           {"space", "no"},
           {"version", kSacreBleuVersion}}};
}

MetricReport chrf_report(const ChrfScore& score, const ChrfOptions& options) {
  return {chrf_name(options), score.score, "", chrf_signature(options)};
}

}  // namespace tfm::text
