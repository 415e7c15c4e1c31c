#include "trainer/confusion_matrix.h"

#include "core/error.h"

namespace mmoe::trainer {
namespace {

double safe_ratio(double numerator, double denominator) { return denominator > 0 ? numerator / denominator : 0.0; }

}  // namespace

ConfusionMatrix::ConfusionMatrix(int64_t num_classes)
    : num_classes_(num_classes), counts_(static_cast<size_t>(num_classes * num_classes), 0) {
  MMOE_ASSERT(num_classes >= 1, "ConfusionMatrix needs at least one class");
}

size_t ConfusionMatrix::index(int64_t label, int64_t prediction) const {
  MMOE_ASSERT(label >= 0 && label < num_classes_ && prediction >= 0 && prediction < num_classes_,
              "class index outside [0, C)");
  return static_cast<size_t>(label * num_classes_ + prediction);
}

void ConfusionMatrix::add(int64_t label, int64_t prediction, int64_t count) { counts_[index(label, prediction)] += count; }

void ConfusionMatrix::add_counts(const std::vector<int64_t>& counts) {
  MMOE_ASSERT(counts.size() == counts_.size(), "confusion counts of the wrong size");
  for (size_t i = 0; i < counts.size(); ++i) counts_[i] += counts[i];
}

int64_t ConfusionMatrix::total() const {
  int64_t sum = 0;
  for (int64_t c : counts_) sum += c;
  return sum;
}

int64_t ConfusionMatrix::support(int64_t c) const {
  int64_t sum = 0;
  for (int64_t p = 0; p < num_classes_; ++p) sum += count(c, p);
  return sum;
}

int64_t ConfusionMatrix::predicted(int64_t c) const {
  int64_t sum = 0;
  for (int64_t l = 0; l < num_classes_; ++l) sum += count(l, c);
  return sum;
}

double ConfusionMatrix::accuracy() const {
  int64_t correct = 0;
  for (int64_t c = 0; c < num_classes_; ++c) correct += count(c, c);
  return safe_ratio(static_cast<double>(correct), static_cast<double>(total()));
}

double ConfusionMatrix::precision(int64_t c) const {
  return safe_ratio(static_cast<double>(count(c, c)), static_cast<double>(predicted(c)));
}

double ConfusionMatrix::recall(int64_t c) const {
  return safe_ratio(static_cast<double>(count(c, c)), static_cast<double>(support(c)));
}

double ConfusionMatrix::f1(int64_t c) const {
  // 2 tp / (2 tp + fp + fn) equals 2 p r / (p + r) and is 0 when undefined.
  const double tp = static_cast<double>(count(c, c));
  const double fp = static_cast<double>(predicted(c)) - tp;
  const double fn = static_cast<double>(support(c)) - tp;
  return safe_ratio(2 * tp, 2 * tp + fp + fn);
}

double ConfusionMatrix::macro_f1() const {
  double sum = 0.0;
  for (int64_t c = 0; c < num_classes_; ++c) sum += f1(c);
  return sum / static_cast<double>(num_classes_);
}

double ConfusionMatrix::weighted_f1() const {
  double sum = 0.0;
  for (int64_t c = 0; c < num_classes_; ++c) sum += f1(c) * static_cast<double>(support(c));
  return safe_ratio(sum, static_cast<double>(total()));
}

double ConfusionMatrix::micro_f1() const { return accuracy(); }

double BinaryCounts::precision() const {
  return safe_ratio(static_cast<double>(true_positive), static_cast<double>(true_positive + false_positive));
}

double BinaryCounts::recall() const {
  return safe_ratio(static_cast<double>(true_positive), static_cast<double>(true_positive + false_negative));
}

double BinaryCounts::f1() const {
  return safe_ratio(2.0 * true_positive, 2.0 * true_positive + false_positive + false_negative);
}

MultilabelScores multilabel_scores(const std::vector<BinaryCounts>& per_label) {
  MultilabelScores scores;
  BinaryCounts pooled;
  double weighted = 0.0;
  int64_t positives = 0;
  for (const auto& label : per_label) {
    pooled.true_positive += label.true_positive;
    pooled.false_positive += label.false_positive;
    pooled.false_negative += label.false_negative;
    scores.macro_f1 += label.f1();
    const int64_t support = label.true_positive + label.false_negative;
    weighted += label.f1() * static_cast<double>(support);
    positives += support;
  }
  scores.micro_f1 = pooled.f1();
  scores.macro_f1 = per_label.empty() ? 0.0 : scores.macro_f1 / static_cast<double>(per_label.size());
  scores.weighted_f1 = safe_ratio(weighted, static_cast<double>(positives));
  return scores;
}

}  // namespace mmoe::trainer
