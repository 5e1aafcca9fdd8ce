#include "train/communicator.h"

#include <bit>

namespace tfm::train {

Communicator& single_process() {
  static SingleProcess instance;
  return instance;
}

namespace {

// SplitMix64's finaliser: every input bit affects every output bit.
uint64_t mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t weights_fingerprint(const ParameterSet& params) {
  // A sum of mixed (entry, index, bits) words: order-free, so threads can share the work,
  // yet position-dependent, so swapped values change it.
  uint64_t fingerprint = 0;
  const auto& entries = params.entries();
  for (size_t e = 0; e < entries.size(); ++e) {
    const float* w = entries[e].param.value.data;
    const int64_t n = entries[e].param.value.numel();
    const uint64_t salt = mix(e + 1);
    uint64_t sum = 0;
#pragma omp parallel for reduction(+ : sum) schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; ++i) sum += mix(salt ^ (uint64_t(i) << 32 | std::bit_cast<uint32_t>(w[i])));
    fingerprint += sum;
  }
  return fingerprint;
}

}  // namespace tfm::train
