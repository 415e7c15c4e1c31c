#pragma once
// Exact ROC AUC of one binary problem from its scores, and a state that merges by concatenation.
// AUC is not a function of summable counts (a histogram on a fixed grid would round scores), so
// its state is the scores themselves, kept apart by true label. Merging two states (two batches,
// two ranks) concatenates them; the AUC of the merged state equals that of one state holding
// every score, whatever the order.
//
//   AUC = (#{(p, n): s_p > s_n} + 0.5 #{(p, n): s_p == s_n}) / (P N)
//
// over every pair of a positive p and a negative n: the Mann-Whitney U statistic over P N, which
// equals the area under the ROC curve with ties as diagonal steps (scikit-learn's roc_auc_score).
// Absent (nullopt) when P == 0 or N == 0.
#include <optional>
#include <vector>

namespace mmoe::trainer {

class ScoreSamples {
 public:
  void add(double score, bool positive) { (positive ? positive_ : negative_).push_back(score); }
  void merge(const ScoreSamples& other);

  const std::vector<double>& positive() const { return positive_; }
  const std::vector<double>& negative() const { return negative_; }
  std::optional<double> auc() const;

 private:
  std::vector<double> positive_;  // scores of rows whose true label is 1
  std::vector<double> negative_;  // scores of rows whose true label is 0
};

}  // namespace mmoe::trainer
