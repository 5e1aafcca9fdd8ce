#pragma once
// What incremental decoding keeps between steps. Generation is autoregressive: each step
// feeds one new token per hypothesis (row), so every decoder layer caches the keys and values
// of the positions a row has already decoded (self-attention) and, once per sentence, those
// of the encoder output (encoder-decoder attention).
//
// Rows need not be in step: sentences join the batch at any step (add_sentences) and leave it
// when they finish (select_rows), so each row has its own position. Every row owns a slot of
// each layer's self-attention store and every sentence a slot of its encoder-side store; the
// attention kernel finds them through AttentionShape::kv_index.
#include <cstdint>
#include <memory>
#include <vector>

namespace tfm::nn {

// Fixed-size slots of `width` floats per position, `capacity` positions each: the row
// layout [slots, capacity, width] the attention kernel reads with kv_stride = capacity.
// Grows by reallocation, keeping the positions each live slot has written. Not zeroed: a
// position is written before it is read, and pages no slot reaches cost no memory.
class SlotStore {
 public:
  explicit SlotStore(int64_t width = 0) : width_(width) {}

  float* slot(int64_t s) { return data_.get() + s * capacity_ * width_; }
  const float* data() const { return data_.get(); }
  int64_t capacity() const { return capacity_; }
  int64_t slots() const { return slots_; }

  // Room for at least `slots` slots of `capacity` positions; the first lengths[s] positions
  // of each current slot s are kept (0 for a free one).
  void reserve(int64_t slots, int64_t capacity, const std::vector<int32_t>& lengths);

 private:
  int64_t width_ = 0, slots_ = 0, capacity_ = 0;
  std::unique_ptr<float[]> data_;
};

class DecoderCache {
 public:
  struct Layer {
    SlotStore self_kv;    // per row slot: K | V of each decoded position
    SlotStore memory_kv;  // per sentence slot: K | V of the encoder output
  };

  DecoderCache(int64_t d_model, int64_t layers);

  int64_t rows() const { return int64_t(row_slot_.size()); }
  int64_t d_model() const { return d_model_; }
  std::vector<Layer>& layers() { return layers_; }

  // Adds `rows_per_sentence[i]` rows for each of `sentences` new sentences, after the rows
  // already there, each with room for `max_positions` positions. memory_kv[layer] holds the
  // sentences' encoder-side keys and values, [sentences * source_len, 2 d_model].
  void add_sentences(const std::vector<const float*>& memory_kv, const int32_t* source_lengths, int64_t sentences,
                     int64_t source_len, const int32_t* rows_per_sentence, int64_t max_positions);

  // Row r becomes old row origin[r]: beams reorder, branch and die, finished sentences leave.
  // A row keeps its slot where it is the first to continue it; the others copy its history.
  void select_rows(const std::vector<int32_t>& origin);

  // A step begins: every row gets one more position. Returns each row's new position.
  const std::vector<int32_t>& begin_step();

  // For the attention kernel, per row: its self-attention slot and its sentence's slot; per
  // slot: the positions written (self, after begin_step including the current one) and the
  // source length (memory).
  const int32_t* row_slots() const { return row_slot_.data(); }
  const int32_t* row_sentences() const { return row_sentence_.data(); }
  const int32_t* slot_lengths() const { return slot_length_.data(); }
  const int32_t* sentence_lengths() const { return sentence_length_.data(); }
  int64_t longest_row() const;       // positions of the longest row
  int64_t longest_sentence() const;  // source tokens of the longest sentence

 private:
  int32_t take_slot(std::vector<int32_t>& free, std::vector<int32_t>& lengths);

  int64_t d_model_;
  std::vector<Layer> layers_;
  std::vector<int32_t> row_slot_, row_sentence_, positions_;
  std::vector<int32_t> slot_length_, free_slots_;          // self-attention slots
  std::vector<int32_t> sentence_length_, free_sentences_;  // encoder-side slots
};

}  // namespace tfm::nn
