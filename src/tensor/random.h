#pragma once
// Counter-based random numbers: the value at (seed, stream, index) is a pure function of
// the three, so dropout masks are reproducible whatever the thread count, and backward
// regenerates the mask forward used instead of storing it.
#include <cstdint>

namespace tfm {

// A 32-bit integer hash with good avalanche (Chris Wellons' "lowbias32"), cheap enough to
// vectorise: AVX2 has 32-bit multiplies, not 64-bit ones.
inline uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

// Uniform in [0, 1) with 24 bits, for element `index` of random stream `key`.
inline float uniform01(uint32_t key, uint32_t index) {
  return static_cast<float>(hash32(key ^ hash32(index)) >> 8) * (1.0f / 16777216.0f);
}

// Mixes a run seed, a step number and a dropout site into one stream key.
inline uint32_t stream_key(uint64_t seed, uint64_t step, uint32_t site) {
  uint32_t k = hash32(static_cast<uint32_t>(seed) ^ 0x9e3779b9U);
  k = hash32(k ^ static_cast<uint32_t>(seed >> 32));
  k = hash32(k ^ static_cast<uint32_t>(step));
  k = hash32(k ^ static_cast<uint32_t>(step >> 32));
  return hash32(k ^ site);
}

// A small sequential generator (splitmix64) for weight initialisation and data shuffling.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform01() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  double normal();  // Box-Muller
  uint64_t state() const { return state_; }
  void set_state(uint64_t s) { state_ = s; }

 private:
  uint64_t state_;
};

}  // namespace tfm
