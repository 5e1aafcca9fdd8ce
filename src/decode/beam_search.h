#pragma once
// Beam search over a batch of sentences at once (paper §6.1: beam 4, length penalty 0.6),
// with cached decoder states. A beam of 1 is greedy decoding.
#include <cstdint>
#include <vector>

namespace tfm::decode {

struct SearchOptions {
  int beam_size = 4;
  // GNMT length penalty (Wu et al., 2016): a finished hypothesis of n tokens (EOS included)
  // scores log P / ((5 + n) / 6)^alpha.
  double length_penalty = 0.6;
  // A translation has at most max_length_ratio * source tokens + max_length_offset tokens.
  double max_length_ratio = 1.5;
  int max_length_offset = 10;
  int min_length = 0;  // EOS may not end a translation shorter than this (fairseq's --min-len)
  int n_best = 1;  // hypotheses returned per sentence, best first (at most beam_size)
};

struct Hypothesis {
  std::vector<int32_t> tokens;  // without BOS and EOS
  double log_prob = 0.0;        // sum of the tokens' log-probabilities, EOS included
  double score = 0.0;           // log_prob divided by the length penalty
};

class SearchBatch;

// sources: token ids of each sentence (pieces + EOS). Returns n_best hypotheses per sentence.
// `batch` (empty on entry and on return) holds the decoder cache and scratch memory: pass the
// same one to every call, so that decoding a stream of batches reuses memory at its
// high-water mark rather than allocating and freeing it per batch (which fragments the heap
// and lets a long run's resident memory creep up).
std::vector<std::vector<Hypothesis>> beam_search(SearchBatch& batch, const std::vector<std::vector<int32_t>>& sources,
                                                 const SearchOptions& options);

double length_penalty(int64_t length, double alpha);

}  // namespace tfm::decode
