#include "decode/beam_search.h"

#include <algorithm>
#include <cmath>
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

// The search state of one sentence.
struct SentenceSearch {
  std::vector<std::vector<int32_t>> beams;  // tokens of each open hypothesis
  std::vector<Hypothesis> finished;
  bool done = false;
};

}  // namespace

double length_penalty(int64_t length, double alpha) { return std::pow((5.0 + double(length)) / 6.0, alpha); }

std::vector<std::vector<Hypothesis>> beam_search(nn::Transformer& model, const std::vector<std::vector<int32_t>>& sources,
                                                 const SearchOptions& options, Workspace& workspace) {
  const io::ModelConfig& config = model.config();
  const int beam = std::max(1, options.beam_size);
  const int n_best = std::clamp(options.n_best, 1, beam);
  const int64_t sentences = int64_t(sources.size());
  if (sentences == 0) return {};

  // The padded source batch.
  int64_t source_len = 1;
  for (const auto& s : sources) source_len = std::max<int64_t>(source_len, int64_t(s.size()));
  std::vector<int32_t> source_ids(sentences * source_len, config.pad_id), source_lengths(sentences);
  int64_t longest_allowed = 0;
  std::vector<int64_t> max_length(sentences);
  for (int64_t i = 0; i < sentences; ++i) {
    std::copy(sources[i].begin(), sources[i].end(), source_ids.begin() + i * source_len);
    source_lengths[i] = int32_t(sources[i].size());
    max_length[i] = std::min<int64_t>(config.max_positions - 1,
                                      int64_t(options.max_length_ratio * double(sources[i].size())) +
                                          options.max_length_offset);
    longest_allowed = std::max(longest_allowed, max_length[i]);
  }

  // The encoder output is read once, to project each layer's keys and values into the
  // cache; the first step's reset gives its memory back.
  workspace.reset();
  nn::StepContext ctx = nn::StepContext::inference(workspace);
  const Tensor memory = model.encode(ctx, source_ids.data(), source_lengths.data(), sentences, source_len);
  nn::DecoderCache cache =
      model.start_decoding(ctx, memory, source_lengths.data(), sentences, source_len, beam, longest_allowed + 1);

  // Row r of the batch is beam r % beam of sentence active[r / beam]. Every sentence starts
  // with one live hypothesis (BOS); the other beams start at -inf so they are never chosen.
  std::vector<SentenceSearch> search(sentences);
  std::vector<int64_t> active(sentences);
  std::vector<float> beam_scores(sentences * beam, kNegativeInfinity);
  for (int64_t i = 0; i < sentences; ++i) {
    active[i] = i;
    search[i].beams.assign(beam, {});
    beam_scores[i * beam] = 0.0f;
  }
  std::vector<int32_t> next_ids(sentences * beam, config.bos_id);

  for (int64_t step = 0; !active.empty(); ++step) {
    workspace.reset();
    Tensor log_probs = model.decode_step(ctx, next_ids.data(), cache);

    std::vector<int64_t> still_active;
    std::vector<int32_t> origin;
    std::vector<float> new_scores;
    std::vector<int32_t> new_ids;
    // As fairseq does: 2 x beam candidates per sentence, so that beam of them can continue
    // even if the others end here.
    std::vector<std::vector<Candidate>> best(active.size());
    const int32_t banned = step < options.min_length ? config.eos_id : -1;
    {
      const kernels::profile::Scope scope("beam_top_k");
#pragma omp parallel for schedule(dynamic)
      for (size_t a = 0; a < active.size(); ++a)
        best[a] = best_candidates(log_probs, int64_t(a) * beam, beam, beam_scores, 2 * beam, banned);
    }
    for (size_t a = 0; a < active.size(); ++a) {
      SentenceSearch& s = search[active[a]];
      const int64_t first_row = int64_t(a) * beam;
      const bool at_limit = step + 1 >= max_length[active[a]];
      const std::vector<Candidate>& candidates = best[a];
      std::vector<std::vector<int32_t>> next_beams;
      std::vector<float> next_scores;
      for (size_t c = 0; c < candidates.size() && int(next_beams.size()) < beam; ++c) {
        const Candidate& cand = candidates[c];
        const std::vector<int32_t>& history = s.beams[cand.beam];
        if (cand.token == config.eos_id || at_limit) {
          // Only the top `beam` candidates may end a hypothesis (fairseq's rule); at the
          // length limit they end whatever their last token.
          if (int(c) >= beam) continue;
          Hypothesis h;
          h.tokens = history;
          if (cand.token != config.eos_id) h.tokens.push_back(cand.token);
          h.log_prob = cand.score;
          h.score = cand.score / length_penalty(int64_t(history.size()) + 1, options.length_penalty);
          s.finished.push_back(std::move(h));
          continue;
        }
        std::vector<int32_t> tokens = history;
        tokens.push_back(cand.token);
        next_beams.push_back(std::move(tokens));
        next_scores.push_back(cand.score);
        origin.push_back(int32_t(first_row + cand.beam));
        new_ids.push_back(cand.token);
      }
      // Done when the sentence has a full beam of finished hypotheses, or when the best
      // open one cannot overtake the n-best finished ones: its log-probability only falls,
      // and the length penalty divides it by at most lp(max_length).
      std::sort(s.finished.begin(), s.finished.end(),
                [](const Hypothesis& x, const Hypothesis& y) { return x.score > y.score; });
      bool done = at_limit || next_beams.empty() || int(s.finished.size()) >= beam;
      if (!done && int(s.finished.size()) >= n_best) {
        const double best_open = next_scores.front() / length_penalty(max_length[active[a]], options.length_penalty);
        done = s.finished[n_best - 1].score >= best_open;
      }
      if (done) {
        origin.resize(origin.size() - next_beams.size());
        new_ids.resize(new_ids.size() - next_beams.size());
        s.done = true;
        continue;
      }
      // Pad to a full beam with dead rows so every sentence keeps `beam` rows.
      while (int(next_beams.size()) < beam) {
        next_beams.push_back({});
        next_scores.push_back(kNegativeInfinity);
        origin.push_back(int32_t(first_row));
        new_ids.push_back(config.pad_id);
      }
      s.beams = std::move(next_beams);
      new_scores.insert(new_scores.end(), next_scores.begin(), next_scores.end());
      still_active.push_back(active[a]);
    }
    active.swap(still_active);
    if (active.empty()) break;
    cache.select_rows(origin);
    beam_scores.swap(new_scores);
    next_ids.swap(new_ids);
  }

  std::vector<std::vector<Hypothesis>> results(sentences);
  for (int64_t i = 0; i < sentences; ++i) {
    std::vector<Hypothesis>& f = search[i].finished;
    f.resize(std::min<size_t>(f.size(), size_t(n_best)));
    results[i] = std::move(f);
  }
  return results;
}

}  // namespace tfm::decode
