#pragma once
// Text in, text out: tokenizes sentences, translates them in batches of similar length with
// beam search, and returns the results in input order. Used by `tfm translate`, validation
// during training and the demo.
#include <functional>
#include <string>
#include <vector>

#include "decode/beam_search.h"
#include "decode/search_batch.h"
#include "tensor/workspace.h"
#include "nn/transformer.h"
#include "text/tokenizer.h"

namespace tfm::decode {

struct TranslateOptions {
  SearchOptions search;
  int batch_size = 64;        // sentences decoded together
  int max_input_tokens = 0;   // longer inputs are truncated; 0: what the model's positions allow
};

struct TextHypothesis {
  std::string text;
  std::vector<int32_t> tokens;
  double score = 0.0;     // length-normalised log-probability
  double log_prob = 0.0;
};

// One translate() at a time per Translator: its memory is reused from batch to batch and call
// to call, so that a stream of windows (app/stream) runs in the memory of one batch.
class Translator {
 public:
  Translator(nn::Transformer& model, const text::Tokenizer& tokenizer) : model_(model), tokenizer_(tokenizer) {}

  // What a caller may want to hear about while translate() runs; each may be left empty.
  struct Observer {
    // An input line cut to fit: its index, its pieces, the pieces kept.
    std::function<void(size_t line, size_t pieces, size_t kept)> truncated;
    // A batch is done: its sentences and the pieces of their best translations.
    std::function<void(size_t sentences, size_t target_pieces)> batch_done;
  };

  // The source ids the model reads for `line`: its pieces, cut to max_input_tokens (the
  // model's positions at most), and EOS; empty for an empty line. `pieces_before_cut`, when
  // given, receives the pieces before any cut.
  std::vector<int32_t> source_ids(const std::string& line, const TranslateOptions& options,
                                  size_t* pieces_before_cut = nullptr) const;

  // A hypothesis of beam search as text.
  TextHypothesis text_of(const Hypothesis& h) const;

  // n_best hypotheses per input line, in input order. `lines` must be UTF-8. An empty line
  // translates to an empty line; a line over max_input_tokens is cut, and the observer told.
  std::vector<std::vector<TextHypothesis>> translate(const std::vector<std::string>& lines,
                                                     const TranslateOptions& options,
                                                     const Observer& observer = {}) const;

 private:
  nn::Transformer& model_;
  const text::Tokenizer& tokenizer_;
  // Beam search's scratch memory and decoder cache, kept at their high-water marks between
  // batches and calls.
  mutable Workspace workspace_;
  mutable SearchBatch search_{model_, workspace_};
};

}  // namespace tfm::decode
