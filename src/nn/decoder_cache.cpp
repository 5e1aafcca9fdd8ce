#include "nn/decoder_cache.h"

#include <algorithm>
#include <cassert>

#include "kernels/profile.h"

namespace tfm::nn {

void SlotStore::reserve(int64_t slots, int64_t capacity, const std::vector<int32_t>& lengths) {
  if (slots <= slots_ && capacity <= capacity_) return;
  const int64_t new_slots = std::max(slots, slots_), new_capacity = std::max(capacity, capacity_);
  auto grown = std::make_unique_for_overwrite<float[]>(size_t(new_slots * new_capacity * width_));
  for (int64_t s = 0; s < std::min(int64_t(lengths.size()), slots_); ++s) {
    if (lengths[s] == 0) continue;
    const float* from = slot(s);
    std::copy(from, from + lengths[s] * width_, grown.get() + s * new_capacity * width_);
  }
  data_ = std::move(grown);
  slots_ = new_slots;
  capacity_ = new_capacity;
}

DecoderCache::DecoderCache(int64_t d_model, int64_t layers) : d_model_(d_model) {
  for (int64_t i = 0; i < layers; ++i) layers_.push_back({SlotStore(2 * d_model), SlotStore(2 * d_model)});
}

int32_t DecoderCache::take_slot(std::vector<int32_t>& free, std::vector<int32_t>& lengths) {
  if (free.empty()) {
    free.push_back(int32_t(lengths.size()));
    lengths.push_back(0);
  }
  const int32_t slot = free.back();
  free.pop_back();
  lengths[slot] = 0;
  return slot;
}

void DecoderCache::add_sentences(const std::vector<const float*>& memory_kv, const int32_t* source_lengths,
                                 int64_t sentences, int64_t source_len, const int32_t* rows_per_sentence,
                                 int64_t max_positions) {
  assert(memory_kv.size() == layers_.size());
  const int64_t width = 2 * d_model_;
  std::vector<int32_t> sentence_slots(sentences);
  for (int64_t i = 0; i < sentences; ++i) {
    sentence_slots[i] = take_slot(free_sentences_, sentence_length_);
    for (int32_t k = 0; k < rows_per_sentence[i]; ++k) {
      row_slot_.push_back(take_slot(free_slots_, slot_length_));
      row_sentence_.push_back(sentence_slots[i]);
    }
  }
  // Slots grow to twice what is needed, so that a batch sentences keep joining reallocates
  // rarely; positions grow to what is needed (a reused cache soon holds the longest).
  const auto grown = [](int64_t have, int64_t need) { return have < need ? std::max(need, 2 * have) : have; };
  for (Layer& layer : layers_) {
    const int64_t self_slots = int64_t(slot_length_.size()), memory_slots = int64_t(sentence_length_.size());
    if (layer.self_kv.slots() < self_slots || layer.self_kv.capacity() < max_positions)
      layer.self_kv.reserve(grown(layer.self_kv.slots(), self_slots), max_positions, slot_length_);
    if (layer.memory_kv.slots() < memory_slots || layer.memory_kv.capacity() < source_len)
      layer.memory_kv.reserve(grown(layer.memory_kv.slots(), memory_slots), source_len, sentence_length_);
  }
  for (size_t l = 0; l < layers_.size(); ++l) {
    for (int64_t i = 0; i < sentences; ++i) {
      const float* from = memory_kv[l] + i * source_len * width;
      std::copy(from, from + source_lengths[i] * width, layers_[l].memory_kv.slot(sentence_slots[i]));
    }
  }
  for (int64_t i = 0; i < sentences; ++i) sentence_length_[sentence_slots[i]] = source_lengths[i];
}

void DecoderCache::select_rows(const std::vector<int32_t>& origin) {
  const kernels::profile::Scope scope("cache_select_rows");
  assert(int64_t(origin.size()) <= rows());
  const int64_t width = 2 * d_model_;
  // The first new row from each old slot keeps it; the other slots are freed before any
  // copy, and the copies (a beam that branched) go to freed slots.
  std::vector<char> claimed(slot_length_.size(), 0), sentence_used(sentence_length_.size(), 0);
  std::vector<int32_t> new_slot(origin.size(), -1), new_sentence(origin.size());
  for (size_t r = 0; r < origin.size(); ++r) {
    const int32_t slot = row_slot_[origin[r]];
    if (!claimed[slot]) {
      claimed[slot] = 1;
      new_slot[r] = slot;
    }
    new_sentence[r] = row_sentence_[origin[r]];
    sentence_used[new_sentence[r]] = 1;
  }
  for (int32_t slot : row_slot_) {
    if (!claimed[slot]) {
      claimed[slot] = 1;  // freed once
      slot_length_[slot] = 0;
      free_slots_.push_back(slot);
    }
  }
  std::vector<std::pair<int32_t, int32_t>> copies;  // (from, to)
  for (size_t r = 0; r < origin.size(); ++r) {
    if (new_slot[r] >= 0) continue;
    const int32_t from = row_slot_[origin[r]];
    new_slot[r] = take_slot(free_slots_, slot_length_);
    slot_length_[new_slot[r]] = slot_length_[from];
    copies.emplace_back(from, new_slot[r]);
  }
  for (Layer& layer : layers_) {
#pragma omp parallel for schedule(static)
    for (size_t c = 0; c < copies.size(); ++c) {
      const float* from = layer.self_kv.slot(copies[c].first);
      std::copy(from, from + slot_length_[copies[c].first] * width, layer.self_kv.slot(copies[c].second));
    }
  }
  for (size_t s = 0; s < sentence_used.size(); ++s) {
    if (!sentence_used[s] && sentence_length_[s] > 0) {
      sentence_length_[s] = 0;
      free_sentences_.push_back(int32_t(s));
    }
  }
  row_slot_.swap(new_slot);
  row_sentence_.swap(new_sentence);
}

const std::vector<int32_t>& DecoderCache::begin_step() {
  positions_.resize(row_slot_.size());
  for (size_t r = 0; r < row_slot_.size(); ++r) positions_[r] = slot_length_[row_slot_[r]]++;
  return positions_;
}

int64_t DecoderCache::longest_row() const {
  int32_t longest = 0;
  for (int32_t slot : row_slot_) longest = std::max(longest, slot_length_[slot]);
  return longest;
}

int64_t DecoderCache::longest_sentence() const {
  int32_t longest = 0;
  for (int32_t s : row_sentence_) longest = std::max(longest, sentence_length_[s]);
  return longest;
}

}  // namespace tfm::nn
