#pragma once
// A small, portable random generator for sweeps (splitmix64): the same seed gives the same
// trials with every compiler and standard library, unlike the std:: distributions.
#include <cmath>
#include <cstdint>

namespace mmoe::experiments {

class SweepRng {
 public:
  // One independent stream per (sweep seed, trial index).
  SweepRng(uint64_t seed, int64_t trial) : state_(mix(seed ^ mix(static_cast<uint64_t>(trial) + 0x51f15eedULL))) {}

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix(state_);
  }
  // [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // 0 .. n-1, n >= 1.
  int64_t below(int64_t n) { return static_cast<int64_t>(uniform() * static_cast<double>(n)); }
  // Standard normal (Box-Muller).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t state_;
};

}  // namespace mmoe::experiments
