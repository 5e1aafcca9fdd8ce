#pragma once
// Reproducible shuffling: std::shuffle's algorithm is left to the library implementation,
// so the same seed could give different orders on different platforms; this one cannot.
#include <cstddef>
#include <iterator>
#include <utility>

#include "tensor/random.h"

namespace tfm {

// Fisher-Yates stopped after `count` steps: afterwards [first, first + count) is a
// uniformly random sample of the range, in random order. (The modulo's bias is below
// size / 2^64, far too small to matter.)
template <typename RandomIt>
void partial_shuffle(RandomIt first, RandomIt last, size_t count, SplitMix64& rng) {
  const auto size = static_cast<size_t>(std::distance(first, last));
  for (size_t i = 0; i < count && i + 1 < size; ++i) {
    const size_t j = i + static_cast<size_t>(rng.next() % (size - i));
    using std::swap;
    swap(first[i], first[j]);
  }
}

template <typename RandomIt>
void shuffle(RandomIt first, RandomIt last, SplitMix64& rng) {
  partial_shuffle(first, last, static_cast<size_t>(std::distance(first, last)), rng);
}

}  // namespace tfm
