#include "decode/beam_search.h"

#include <cassert>
#include <cmath>

#include "decode/search_batch.h"

namespace tfm::decode {

double length_penalty(int64_t length, double alpha) { return std::pow((5.0 + double(length)) / 6.0, alpha); }

std::vector<std::vector<Hypothesis>> beam_search(SearchBatch& batch, const std::vector<std::vector<int32_t>>& sources,
                                                 const SearchOptions& options) {
  assert(batch.empty());
  std::vector<SearchBatch::Sentence> sentences;
  for (size_t i = 0; i < sources.size(); ++i) sentences.push_back({uint64_t(i), sources[i], options});
  batch.add(sentences);
  std::vector<std::vector<Hypothesis>> results(sources.size());
  while (!batch.empty())
    for (SearchBatch::Finished& f : batch.step()) results[f.id] = std::move(f.hypotheses);
  return results;
}

}  // namespace tfm::decode
