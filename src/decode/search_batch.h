#pragma once
// A running decoder batch that sentences join and leave at any step: each sentence keeps its
// own beam search (beam size, length penalty, lengths), all of their hypotheses are decoded
// together one position per step, a sentence that finishes leaves at once, and new ones
// join before the next step. beam_search() runs a fixed set of sentences through it; the
// server (step-level, "continuous" batching) feeds it as requests arrive.
#include <cstdint>
#include <vector>

#include "decode/beam_search.h"
#include "nn/decoder_cache.h"
#include "nn/transformer.h"
#include "tensor/workspace.h"

namespace tfm::decode {

class SearchBatch {
 public:
  // workspace: scratch memory for encoding and for each step (reset by both).
  SearchBatch(nn::Transformer& model, Workspace& workspace);

  struct Sentence {
    uint64_t id;                  // the caller's, given back when the sentence finishes
    std::vector<int32_t> source;  // pieces + EOS; not empty
    SearchOptions options;
  };
  // Encodes the sentences together and adds their hypotheses, which take part from the next step.
  void add(const std::vector<Sentence>& sentences);

  struct Finished {
    uint64_t id;
    std::vector<Hypothesis> hypotheses;  // n_best of them, best first
  };
  // One decoder step for every hypothesis in the batch; returns the sentences that ended in it.
  std::vector<Finished> step();

  bool empty() const { return active_.empty(); }
  size_t sentences() const { return active_.size(); }
  int64_t rows() const { return cache_.rows(); }

 private:
  // The search state of one sentence; its rows are beam_size consecutive rows of the batch.
  struct Search {
    uint64_t id;
    SearchOptions options;
    int64_t max_length;  // tokens a translation may have, EOS included
    int64_t steps = 0;   // tokens decoded so far
    std::vector<std::vector<int32_t>> beams;  // tokens of each open hypothesis
    std::vector<Hypothesis> finished;
  };

  nn::Transformer& model_;
  Workspace& workspace_;
  nn::DecoderCache cache_;
  std::vector<Search> active_;        // in row order
  std::vector<float> beam_scores_;    // per row: log-probability of its hypothesis; -inf: a dead row
  std::vector<int32_t> next_ids_;     // per row: the token it feeds next
};

}  // namespace tfm::decode
