#include "decode/translator.h"

#include <algorithm>

namespace tfm::decode {

std::vector<int32_t> Translator::source_ids(const std::string& line, const TranslateOptions& options,
                                           size_t* pieces_before_cut) const {
  if (pieces_before_cut) *pieces_before_cut = 0;
  if (line.empty()) return {};
  const io::ModelConfig& config = model_.config();
  // Source ids = pieces + EOS (docs/model-format.md); the positions table bounds the length.
  const int max_tokens = options.max_input_tokens > 0 ? std::min(options.max_input_tokens, config.max_positions)
                                                      : config.max_positions;
  const size_t max_pieces = size_t(std::max(max_tokens, 1)) - 1;
  const std::vector<int> pieces = tokenizer_.encode(line);
  if (pieces_before_cut) *pieces_before_cut = pieces.size();
  std::vector<int32_t> ids(pieces.begin(), pieces.begin() + std::ptrdiff_t(std::min(pieces.size(), max_pieces)));
  ids.push_back(config.eos_id);
  return ids;
}

TextHypothesis Translator::text_of(const Hypothesis& h) const {
  return {tokenizer_.decode(std::vector<int>(h.tokens.begin(), h.tokens.end())), h.tokens, h.score, h.log_prob};
}

std::vector<std::vector<TextHypothesis>> Translator::translate(const std::vector<std::string>& lines,
                                                               const TranslateOptions& options,
                                                               const Observer& observer) const {
  std::vector<std::vector<int32_t>> sources(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    size_t pieces = 0;
    sources[i] = source_ids(lines[i], options, &pieces);
    if (!sources[i].empty() && pieces > sources[i].size() - 1 && observer.truncated)
      observer.truncated(i, pieces, sources[i].size() - 1);
  }

  // Sentences of similar length together: little padding, and short ones finish together.
  std::vector<size_t> order;
  for (size_t i = 0; i < lines.size(); ++i)
    if (!sources[i].empty()) order.push_back(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sources[a].size() < sources[b].size(); });

  std::vector<std::vector<TextHypothesis>> results(lines.size());
  const size_t batch_size = size_t(std::max(1, options.batch_size));
  for (size_t begin = 0; begin < order.size(); begin += batch_size) {
    const size_t end = std::min(order.size(), begin + batch_size);
    std::vector<std::vector<int32_t>> batch;
    for (size_t k = begin; k < end; ++k) batch.push_back(sources[order[k]]);
    const auto hypotheses = beam_search(search_, batch, options.search);
    size_t target_pieces = 0;
    for (size_t k = begin; k < end; ++k) {
      target_pieces += hypotheses[k - begin].front().tokens.size();
      for (const Hypothesis& h : hypotheses[k - begin]) results[order[k]].push_back(text_of(h));
    }
    if (observer.batch_done) observer.batch_done(end - begin, target_pieces);
  }
  for (auto& r : results)
    if (r.empty()) r.push_back({});  // empty input line: empty translation
  return results;
}

}  // namespace tfm::decode
