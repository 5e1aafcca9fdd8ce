#include "api/translation.h"

#include "app/attention_maps.h"

namespace tfm::api {

namespace {

std::vector<std::string> pieces_of(const std::vector<int32_t>& ids, const text::Tokenizer& tokenizer) {
  std::vector<std::string> pieces;
  for (int32_t id : ids) pieces.push_back(tokenizer.piece(id));
  return pieces;
}

CrossAttention cross_attention(nn::Transformer& model, const text::Tokenizer& tokenizer,
                               const std::vector<int32_t>& source_ids, const std::vector<int32_t>& target_pieces) {
  // source_ids end with EOS; extract_attention adds it back.
  const std::vector<int32_t> source_pieces(source_ids.begin(), source_ids.end() - (source_ids.empty() ? 0 : 1));
  const app::SentenceAttention a = app::extract_attention(model, source_pieces, target_pieces);
  CrossAttention c;
  c.layers = int(a.cross.size());
  c.heads = a.cross.empty() ? 0 : int(a.cross.front().heads.size());
  c.target_pieces = pieces_of(a.target, tokenizer);
  c.source_pieces = pieces_of(a.source, tokenizer);
  for (const app::AttentionMap& layer : a.cross)
    for (const std::vector<float>& head : layer.heads) c.weights.insert(c.weights.end(), head.begin(), head.end());
  return c;
}

}  // namespace

Translation make_translation(nn::Transformer& model, const text::Tokenizer& tokenizer,
                             const std::vector<int32_t>& source_ids,
                             const std::vector<decode::TextHypothesis>& hypotheses, bool with_attention) {
  Translation t;
  for (const decode::TextHypothesis& h : hypotheses)
    t.hypotheses.push_back({h.text, pieces_of(h.tokens, tokenizer), h.score, h.log_prob});
  if (with_attention) t.attention = cross_attention(model, tokenizer, source_ids, hypotheses.front().tokens);
  return t;
}

}  // namespace tfm::api
