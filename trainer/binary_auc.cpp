#include "trainer/binary_auc.h"

#include <algorithm>
#include <cstdint>

namespace mmoe::trainer {

void ScoreSamples::merge(const ScoreSamples& other) {
  positive_.insert(positive_.end(), other.positive_.begin(), other.positive_.end());
  negative_.insert(negative_.end(), other.negative_.begin(), other.negative_.end());
}

std::optional<double> ScoreSamples::auc() const {
  if (positive_.empty() || negative_.empty()) return std::nullopt;
  auto positive = positive_;
  auto negative = negative_;
  std::sort(positive.begin(), positive.end());
  std::sort(negative.begin(), negative.end());
  // twice_u = sum over positives of 2 #(negatives below) + #(negatives equal): an exact integer,
  // so the only rounding is the final division.
  int64_t twice_u = 0;
  size_t below = 0;  // negatives < current score
  size_t upto = 0;   // negatives <= current score
  for (double score : positive) {
    while (below < negative.size() && negative[below] < score) ++below;
    upto = std::max(upto, below);
    while (upto < negative.size() && negative[upto] <= score) ++upto;
    twice_u += 2 * static_cast<int64_t>(below) + static_cast<int64_t>(upto - below);
  }
  const double pairs = static_cast<double>(positive.size()) * static_cast<double>(negative.size());
  return static_cast<double>(twice_u) / (2.0 * pairs);
}

}  // namespace mmoe::trainer
