#include "app/attention_maps.h"

#include <array>
#include <cassert>
#include <stdexcept>
#include <string>

#include "train/batch.h"

namespace tfm::app {

namespace {

void check_length(std::span<const int32_t> pieces, const io::ModelConfig& config, const char* side) {
  // Either side gets one special token (EOS or BOS) besides its pieces.
  if (pieces.size() + 1 > size_t(config.max_positions))
    throw std::invalid_argument(std::string(side) + " has " + std::to_string(pieces.size()) +
                                " pieces; the model's positions allow at most " +
                                std::to_string(config.max_positions - 1));
}

// weights: [1, heads, rows, columns], valid until the forward pass's workspace is reset.
AttentionMap copy_map(const Tensor& weights) {
  assert(weights.shape.rank() == 4 && weights.shape[0] == 1);
  AttentionMap map;
  const int64_t heads = weights.shape[1];
  map.rows = weights.shape[2];
  map.columns = weights.shape[3];
  const int64_t cells = map.rows * map.columns;
  std::vector<double> sum(size_t(cells), 0.0);
  for (int64_t h = 0; h < heads; ++h) {
    const float* head = weights.data + h * cells;
    map.heads.emplace_back(head, head + cells);
    for (int64_t i = 0; i < cells; ++i) sum[size_t(i)] += head[i];
  }
  for (double s : sum) map.average.push_back(float(s / double(heads)));
  return map;
}

std::vector<std::string> pieces_of(const std::vector<int32_t>& ids, const text::Tokenizer& tokenizer) {
  std::vector<std::string> pieces;
  for (int32_t id : ids) pieces.push_back(tokenizer.piece(id));
  return pieces;
}

std::vector<viz::AttentionPanel> panel_row(const AttentionMap& map, const std::string& name,
                                           const std::vector<std::string>& row_labels,
                                           const std::vector<std::string>& column_labels) {
  assert(size_t(map.rows) == row_labels.size() && size_t(map.columns) == column_labels.size());
  std::vector<viz::AttentionPanel> panels;
  for (size_t h = 0; h < map.heads.size(); ++h)
    panels.push_back({name + ", head " + std::to_string(h + 1), row_labels, column_labels, map.heads[h]});
  panels.push_back({name + ", average", row_labels, column_labels, map.average});
  return panels;
}

// The text of ids without their specials.
std::string text_of(const std::vector<int32_t>& ids, const text::Tokenizer& tokenizer) {
  return tokenizer.decode(std::vector<int>(ids.begin(), ids.end()));
}

}  // namespace

SentenceAttention extract_attention(nn::Transformer& model, std::span<const int32_t> source_pieces,
                                    std::span<const int32_t> target_pieces) {
  const io::ModelConfig& config = model.config();
  check_length(source_pieces, config, "the source");
  check_length(target_pieces, config, "the target");
  const std::array<std::span<const int32_t>, 1> sources{source_pieces}, targets{target_pieces};
  const Batch batch = make_batch(sources, targets, config.pad_id, config.bos_id, config.eos_id);

  Workspace workspace;
  nn::StepContext ctx{workspace, /*training=*/false};
  model.forward(ctx, batch);
  SentenceAttention attention;
  attention.source = batch.src_ids;
  attention.decoder_input = batch.tgt_in_ids;
  attention.target = batch.tgt_out_ids;
  for (const nn::EncoderLayer& layer : model.encoder().layers())
    attention.encoder_self.push_back(copy_map(layer.self_attention().weights()));
  for (const nn::DecoderLayer& layer : model.decoder().layers()) {
    attention.decoder_self.push_back(copy_map(layer.self_attention().weights()));
    attention.cross.push_back(copy_map(layer.cross_attention().weights()));
  }
  return attention;
}

viz::AttentionFigure attention_figure(const SentenceAttention& attention, const text::Tokenizer& tokenizer,
                                      bool include_self_attention) {
  const auto source = pieces_of(attention.source, tokenizer);
  const auto decoder_input = pieces_of(attention.decoder_input, tokenizer);
  const auto target = pieces_of(attention.target, tokenizer);
  viz::AttentionFigure figure;
  figure.title = text_of(attention.source, tokenizer) + " → " + text_of(attention.target, tokenizer);
  auto add_rows = [&](const std::vector<AttentionMap>& maps, const std::string& kind,
                      const std::vector<std::string>& rows, const std::vector<std::string>& columns) {
    for (size_t layer = 0; layer < maps.size(); ++layer)
      figure.panel_rows.push_back(panel_row(maps[layer], kind + " layer " + std::to_string(layer + 1), rows, columns));
  };
  if (include_self_attention) {
    add_rows(attention.encoder_self, "encoder self", source, source);
    add_rows(attention.decoder_self, "decoder self", target, decoder_input);
  }
  add_rows(attention.cross, "cross", target, source);
  return figure;
}

}  // namespace tfm::app
