#pragma once
// Exact classification metrics from an accumulated confusion matrix (mergeable across ranks by
// adding counts). F1 of a class with no true and no predicted rows is 0, as scikit-learn's
// zero_division=0; weighted F1 weights each class's F1 by its support (true rows).
#include <cstdint>
#include <vector>

namespace mmoe::trainer {

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int64_t num_classes);

  void add(int64_t label, int64_t prediction, int64_t count = 1);
  // counts[label * C + prediction], as produced by bincount over label * C + prediction.
  void add_counts(const std::vector<int64_t>& counts);

  int64_t num_classes() const { return num_classes_; }
  int64_t total() const;
  int64_t count(int64_t label, int64_t prediction) const { return counts_[index(label, prediction)]; }
  const std::vector<int64_t>& counts() const { return counts_; }

  double accuracy() const;
  double precision(int64_t c) const;
  double recall(int64_t c) const;
  double f1(int64_t c) const;
  int64_t support(int64_t c) const;
  double macro_f1() const;
  double weighted_f1() const;
  double micro_f1() const;  // equals accuracy for single-label multiclass

 private:
  size_t index(int64_t label, int64_t prediction) const;
  int64_t predicted(int64_t c) const;
  int64_t num_classes_;
  std::vector<int64_t> counts_;  // [C * C], row = true label
};

// Per-label binary counts for multilabel tasks.
struct BinaryCounts {
  int64_t true_positive = 0;
  int64_t false_positive = 0;
  int64_t false_negative = 0;
  double precision() const;  // tp / (tp + fp); 0 when nothing was predicted positive
  double recall() const;     // tp / (tp + fn); 0 when there are no positives
  double f1() const;         // 2 tp / (2 tp + fp + fn); 0 when tp + fp + fn == 0
  int64_t support() const { return true_positive + false_negative; }  // positives
};

struct MultilabelScores {
  double micro_f1 = 0.0;
  double macro_f1 = 0.0;
  double weighted_f1 = 0.0;  // per-label F1 weighted by positives (support)
};
MultilabelScores multilabel_scores(const std::vector<BinaryCounts>& per_label);

}  // namespace mmoe::trainer
