#include "tracking/run_id.h"

#include <random>

namespace mmoe::tracking {

std::string new_run_id() {
  // A fresh random_device per call: no generator state that a fork() would duplicate.
  std::random_device entropy;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(kRunIdLength);
  while (id.size() < kRunIdLength) {
    auto bits = entropy();  // 32 random bits: 8 hex digits
    for (int i = 0; i < 8 && id.size() < kRunIdLength; ++i, bits >>= 4) {
      id.push_back(kHex[bits & 0xf]);
    }
  }
  return id;
}

bool is_run_id_prefix(std::string_view text) {
  if (text.empty() || text.size() > kRunIdLength) return false;
  for (const char c : text) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return false;
  }
  return true;
}

}  // namespace mmoe::tracking
