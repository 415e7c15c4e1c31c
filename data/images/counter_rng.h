#pragma once
// A counter-based random stream for augmentation: the draws of one (seed, image, view) depend on
// that triple only (splitmix64 of it, then splitmix64 steps), never on which thread or rank ran
// the image or in which order, so a re-run or another world size writes the same features.
#include <cmath>
#include <cstdint>

namespace mmoe::data {

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

class CounterRng {
 public:
  CounterRng(uint64_t seed, uint64_t image, uint64_t view)
      : state_(splitmix64(splitmix64(splitmix64(seed) ^ image) ^ view)) {}

  uint64_t next_u64() {
    state_ += 0x9E3779B97F4A7C15ULL;
    return splitmix64(state_);
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Uniform integer in [low, high] (inclusive); low when high <= low.
  int64_t integer(int64_t low, int64_t high) {
    if (high <= low) return low;
    const auto span = static_cast<uint64_t>(high - low) + 1;
    return low + static_cast<int64_t>(next_u64() % span);
  }
  bool chance(double p) { return uniform() < p; }

 private:
  uint64_t state_;
};

}  // namespace mmoe::data
