#include "decode/search_batch.h"

#include <algorithm>
#include <cassert>
#include <limits>

#include "kernels/profile.h"

namespace tfm::decode {

namespace {

constexpr float kNegativeInfinity = -std::numeric_limits<float>::infinity();

struct Candidate {
  float score;     // total log-probability if this token is appended
  int32_t beam;    // the hypothesis it extends (within its sentence)
  int32_t token;
};

// The k best next tokens over all beams of one sentence, best first: one pass over the
// log-probabilities with a small sorted list, most values failing the first comparison.
// `banned` (a token id, or -1) is never chosen.
std::vector<Candidate> best_candidates(const Tensor& log_probs, int64_t first_row, int beams,
                                       const std::vector<float>& beam_scores, int k, int32_t banned) {
  std::vector<Candidate> best;
  best.reserve(k + 1);
  const int64_t vocab = log_probs.cols();
  for (int b = 0; b < beams; ++b) {
    const float base = beam_scores[first_row + b];
    if (base == kNegativeInfinity) continue;
    const float* lp = log_probs.row(first_row + b);
    for (int64_t v = 0; v < vocab; ++v) {
      const float score = base + lp[v];
      if ((int(best.size()) == k && score <= best.back().score) || v == banned) continue;
      Candidate c{score, b, int32_t(v)};
      auto at = std::upper_bound(best.begin(), best.end(), c,
                                 [](const Candidate& x, const Candidate& y) { return x.score > y.score; });
      best.insert(at, c);
      if (int(best.size()) > k) best.pop_back();
    }
  }
  return best;
}

}  // namespace

SearchBatch::SearchBatch(nn::Transformer& model, Workspace& workspace)
    : model_(model), workspace_(workspace), cache_(model.new_decoding()) {}

void SearchBatch::add(const std::vector<Sentence>& sentences) {
  if (sentences.empty()) return;
  const io::ModelConfig& config = model_.config();
  const int64_t count = int64_t(sentences.size());

  // The padded source batch; each sentence's beam and length limit.
  int64_t source_len = 1, longest_allowed = 0;
  for (const Sentence& s : sentences) source_len = std::max<int64_t>(source_len, int64_t(s.source.size()));
  std::vector<int32_t> source_ids(count * source_len, config.pad_id), source_lengths(count), beams(count);
  for (int64_t i = 0; i < count; ++i) {
    const Sentence& s = sentences[i];
    assert(!s.source.empty());
    std::copy(s.source.begin(), s.source.end(), source_ids.begin() + i * source_len);
    source_lengths[i] = int32_t(s.source.size());
    Search search;
    search.id = s.id;
    search.options = s.options;
    search.options.beam_size = std::max(1, s.options.beam_size);
    search.options.n_best = std::clamp(s.options.n_best, 1, search.options.beam_size);
    search.max_length = std::min<int64_t>(config.max_positions - 1,
                                          int64_t(s.options.max_length_ratio * double(s.source.size())) +
                                              s.options.max_length_offset);
    search.max_length = std::max<int64_t>(search.max_length, 1);
    search.beams.assign(search.options.beam_size, {});
    beams[i] = search.options.beam_size;
    longest_allowed = std::max(longest_allowed, search.max_length);
    // Every sentence starts with one live hypothesis (BOS); its other beams start at -inf so
    // they are never chosen.
    beam_scores_.push_back(0.0f);
    beam_scores_.insert(beam_scores_.end(), beams[i] - 1, kNegativeInfinity);
    next_ids_.insert(next_ids_.end(), beams[i], config.bos_id);
    active_.push_back(std::move(search));
  }

  // The encoder output is read once, to project each layer's keys and values into the
  // cache; the next step's reset gives its memory back.
  workspace_.reset();
  nn::StepContext ctx = nn::StepContext::inference(workspace_);
  const Tensor memory = model_.encode(ctx, source_ids.data(), source_lengths.data(), count, source_len);
  model_.add_to_decoding(ctx, cache_, memory, source_lengths.data(), count, source_len, beams.data(),
                         longest_allowed + 1);
}

std::vector<SearchBatch::Finished> SearchBatch::step() {
  if (active_.empty()) return {};
  const int32_t eos = model_.config().eos_id, pad = model_.config().pad_id;
  workspace_.reset();
  nn::StepContext ctx = nn::StepContext::inference(workspace_);
  const Tensor log_probs = model_.decode_step(ctx, next_ids_.data(), cache_);

  std::vector<int64_t> first_row(active_.size());
  for (size_t a = 1; a < active_.size(); ++a)
    first_row[a] = first_row[a - 1] + active_[a - 1].options.beam_size;

  // As fairseq does: 2 x beam candidates per sentence, so that beam of them can continue
  // even if the others end here.
  std::vector<std::vector<Candidate>> best(active_.size());
  {
    const kernels::profile::Scope scope("beam_top_k");
#pragma omp parallel for schedule(dynamic)
    for (size_t a = 0; a < active_.size(); ++a) {
      const Search& s = active_[a];
      const int32_t banned = s.steps < s.options.min_length ? eos : -1;
      best[a] = best_candidates(log_probs, first_row[a], s.options.beam_size, beam_scores_,
                                2 * s.options.beam_size, banned);
    }
  }

  std::vector<Search> still_active;
  std::vector<Finished> finished;
  std::vector<int32_t> origin, new_ids;
  std::vector<float> new_scores;
  for (size_t a = 0; a < active_.size(); ++a) {
    Search& s = active_[a];
    const int beam = s.options.beam_size;
    const bool at_limit = s.steps + 1 >= s.max_length;
    std::vector<std::vector<int32_t>> next_beams;
    std::vector<float> next_scores;
    const size_t rows_before = origin.size();
    for (size_t c = 0; c < best[a].size() && int(next_beams.size()) < beam; ++c) {
      const Candidate& cand = best[a][c];
      const std::vector<int32_t>& history = s.beams[cand.beam];
      if (cand.token == eos || at_limit) {
        // Only the top `beam` candidates may end a hypothesis (fairseq's rule); at the
        // length limit they end whatever their last token.
        if (int(c) >= beam) continue;
        Hypothesis h;
        h.tokens = history;
        if (cand.token != eos) h.tokens.push_back(cand.token);
        h.log_prob = cand.score;
        h.score = cand.score / length_penalty(int64_t(history.size()) + 1, s.options.length_penalty);
        s.finished.push_back(std::move(h));
        continue;
      }
      std::vector<int32_t> tokens = history;
      tokens.push_back(cand.token);
      next_beams.push_back(std::move(tokens));
      next_scores.push_back(cand.score);
      origin.push_back(int32_t(first_row[a] + cand.beam));
      new_ids.push_back(cand.token);
    }
    ++s.steps;
    // Done when the sentence has a full beam of finished hypotheses, or when the best open
    // one cannot overtake the n-best finished ones: its log-probability only falls, and the
    // length penalty divides it by at most lp(max_length).
    std::sort(s.finished.begin(), s.finished.end(),
              [](const Hypothesis& x, const Hypothesis& y) { return x.score > y.score; });
    const int n_best = s.options.n_best;
    bool done = at_limit || next_beams.empty() || int(s.finished.size()) >= beam;
    if (!done && int(s.finished.size()) >= n_best) {
      const double best_open = next_scores.front() / length_penalty(s.max_length, s.options.length_penalty);
      done = s.finished[n_best - 1].score >= best_open;
    }
    if (done) {
      origin.resize(rows_before);
      new_ids.resize(rows_before);
      s.finished.resize(std::min<size_t>(s.finished.size(), size_t(n_best)));
      finished.push_back({s.id, std::move(s.finished)});
      continue;
    }
    // Pad to a full beam with dead rows so every sentence keeps `beam` rows.
    while (int(next_beams.size()) < beam) {
      next_beams.push_back({});
      next_scores.push_back(kNegativeInfinity);
      origin.push_back(int32_t(first_row[a]));
      new_ids.push_back(pad);
    }
    s.beams = std::move(next_beams);
    new_scores.insert(new_scores.end(), next_scores.begin(), next_scores.end());
    still_active.push_back(std::move(s));
  }
  active_.swap(still_active);
  cache_.select_rows(origin);
  beam_scores_.swap(new_scores);
  next_ids_.swap(new_ids);
  return finished;
}

}  // namespace tfm::decode
