#pragma once
// A sentence's decoded hypotheses as the public API returns them (tfm::Translation): text,
// pieces and scores of each, and on request where the decoder looked in the source while
// writing the best one. Shared by tfm::Translator and the server.
#include <cstdint>
#include <vector>

#include "decode/translator.h"
#include "nn/transformer.h"
#include "text/tokenizer.h"
#include "tfm/translator.h"

namespace tfm::api {

// source_ids: what the model read (pieces + EOS). Uses the model (for the attention): call it
// where the model's other users wait.
Translation make_translation(nn::Transformer& model, const text::Tokenizer& tokenizer,
                             const std::vector<int32_t>& source_ids,
                             const std::vector<decode::TextHypothesis>& hypotheses, bool with_attention);

}  // namespace tfm::api
