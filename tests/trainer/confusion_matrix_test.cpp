// ConfusionMatrix and multilabel_scores against values worked out by hand, with scikit-learn's
// definitions (f1_score with average=None / macro / weighted / micro, zero_division=0).
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "trainer/confusion_matrix.h"

namespace mmoe::trainer {
namespace {

// The hand example, as (true label, prediction) rows; counts[true][pred]:
//            pred 0  pred 1  pred 2   support
//   true 0      3       1       0        4
//   true 1      2       2       1        5
//   true 2      0       0       1        1
//   predicted   5       3       2       10
std::vector<std::pair<int64_t, int64_t>> confusion_example_rows() {
  return {{0, 0}, {0, 0}, {0, 0}, {0, 1},            // true 0
          {1, 0}, {1, 0}, {1, 1}, {1, 1}, {1, 2},    // true 1
          {2, 2}};                                   // true 2
}

ConfusionMatrix confusion_from_rows(int64_t classes, const std::vector<std::pair<int64_t, int64_t>>& rows) {
  ConfusionMatrix matrix(classes);
  for (const auto& [label, prediction] : rows) matrix.add(label, prediction);
  return matrix;
}

TEST(ConfusionMatrix, ThreeClassExampleByHand) {
  const auto m = confusion_from_rows(3, confusion_example_rows());
  EXPECT_EQ(m.total(), 10);
  EXPECT_EQ(m.count(1, 0), 2);
  EXPECT_EQ(m.support(0), 4);
  EXPECT_EQ(m.support(1), 5);
  EXPECT_EQ(m.support(2), 1);
  // correct = 3 + 2 + 1 = 6 of 10
  EXPECT_DOUBLE_EQ(m.accuracy(), 0.6);
  // class 0: tp 3, fp 5-3 = 2, fn 4-3 = 1: P = 3/5, R = 3/4, F1 = 2*3 / (6 + 2 + 1) = 2/3
  EXPECT_DOUBLE_EQ(m.precision(0), 0.6);
  EXPECT_DOUBLE_EQ(m.recall(0), 0.75);
  EXPECT_DOUBLE_EQ(m.f1(0), 2.0 / 3.0);
  // class 1: tp 2, fp 3-2 = 1, fn 5-2 = 3: P = 2/3, R = 2/5, F1 = 4 / (4 + 1 + 3) = 1/2
  EXPECT_DOUBLE_EQ(m.precision(1), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.recall(1), 0.4);
  EXPECT_DOUBLE_EQ(m.f1(1), 0.5);
  // class 2: tp 1, fp 2-1 = 1, fn 0: P = 1/2, R = 1, F1 = 2 / (2 + 1 + 0) = 2/3
  EXPECT_DOUBLE_EQ(m.precision(2), 0.5);
  EXPECT_DOUBLE_EQ(m.recall(2), 1.0);
  EXPECT_DOUBLE_EQ(m.f1(2), 2.0 / 3.0);
  // macro = (2/3 + 1/2 + 2/3) / 3 = 11/18
  EXPECT_DOUBLE_EQ(m.macro_f1(), 11.0 / 18.0);
  // weighted = (4 * 2/3 + 5 * 1/2 + 1 * 2/3) / 10 = (10/3 + 5/2) / 10 = 35/60 = 7/12
  EXPECT_DOUBLE_EQ(m.weighted_f1(), 7.0 / 12.0);
  // micro over single-label multiclass rows: pooled tp 6, fp 4, fn 4 -> 12 / 20 = 0.6
  EXPECT_DOUBLE_EQ(m.micro_f1(), 0.6);
}

TEST(ConfusionMatrix, AbsentClassScoresZeroAndCountsInMacroOnly) {
  // The same rows with a fourth class that is never true and never predicted.
  const auto m = confusion_from_rows(4, confusion_example_rows());
  EXPECT_EQ(m.support(3), 0);
  EXPECT_DOUBLE_EQ(m.precision(3), 0.0);  // 0/0 -> 0 (zero_division=0)
  EXPECT_DOUBLE_EQ(m.recall(3), 0.0);
  EXPECT_DOUBLE_EQ(m.f1(3), 0.0);
  // sklearn f1_score(labels=[0,1,2,3], average='macro'): (2/3 + 1/2 + 2/3 + 0) / 4 = 11/24
  EXPECT_DOUBLE_EQ(m.macro_f1(), 11.0 / 24.0);
  // support 0 adds nothing to the weighted mean: still 7/12
  EXPECT_DOUBLE_EQ(m.weighted_f1(), 7.0 / 12.0);
  EXPECT_DOUBLE_EQ(m.accuracy(), 0.6);
  EXPECT_DOUBLE_EQ(m.micro_f1(), 0.6);
}

TEST(ConfusionMatrix, EmptyMatrixScoresZeroNotNan) {
  const ConfusionMatrix m(3);
  EXPECT_EQ(m.total(), 0);
  EXPECT_DOUBLE_EQ(m.accuracy(), 0.0);
  EXPECT_DOUBLE_EQ(m.macro_f1(), 0.0);
  EXPECT_DOUBLE_EQ(m.weighted_f1(), 0.0);
  EXPECT_DOUBLE_EQ(m.micro_f1(), 0.0);
}

TEST(ConfusionMatrix, AddCountsEqualsRepeatedAdd) {
  const auto by_rows = confusion_from_rows(3, confusion_example_rows());
  // counts[label * 3 + prediction], the bincount layout, written out from the table above.
  ConfusionMatrix by_counts(3);
  by_counts.add_counts({3, 1, 0,  //
                        2, 2, 1,  //
                        0, 0, 1});
  EXPECT_EQ(by_counts.counts(), by_rows.counts());
  // add(label, prediction, count) is add() repeated count times.
  ConfusionMatrix weighted_add(3);
  weighted_add.add(0, 0, 3);
  weighted_add.add(0, 1);
  weighted_add.add(1, 0, 2);
  weighted_add.add(1, 1, 2);
  weighted_add.add(1, 2);
  weighted_add.add(2, 2);
  EXPECT_EQ(weighted_add.counts(), by_rows.counts());
}

TEST(ConfusionMatrix, MergedCountsEqualOneMatrixOverAllRows) {
  // Two "ranks" see disjoint rows; adding their counts must give the matrix of all rows.
  const auto rows = confusion_example_rows();
  const std::vector<std::pair<int64_t, int64_t>> first(rows.begin(), rows.begin() + 4);
  const std::vector<std::pair<int64_t, int64_t>> second(rows.begin() + 4, rows.end());
  auto merged = confusion_from_rows(3, first);
  merged.add_counts(confusion_from_rows(3, second).counts());
  const auto whole = confusion_from_rows(3, rows);
  EXPECT_EQ(merged.counts(), whole.counts());
  EXPECT_DOUBLE_EQ(merged.weighted_f1(), 7.0 / 12.0);
  EXPECT_DOUBLE_EQ(merged.macro_f1(), 11.0 / 18.0);
  EXPECT_DOUBLE_EQ(merged.accuracy(), 0.6);
}

TEST(MultilabelScores, ThreeLabelsByHand) {
  // label 0: tp 3, fp 1, fn 1 -> F1 = 6 / (6 + 1 + 1) = 0.75, positives 4
  // label 1: tp 1, fp 0, fn 3 -> F1 = 2 / (2 + 0 + 3) = 0.4,  positives 4
  // label 2: tp 0, fp 2, fn 0 -> F1 = 0 / 2 = 0,              positives 0
  std::vector<BinaryCounts> per_label(3);
  per_label[0] = {3, 1, 1};
  per_label[1] = {1, 0, 3};
  per_label[2] = {0, 2, 0};
  EXPECT_DOUBLE_EQ(per_label[0].f1(), 0.75);
  EXPECT_DOUBLE_EQ(per_label[1].f1(), 0.4);
  EXPECT_DOUBLE_EQ(per_label[2].f1(), 0.0);
  const auto scores = multilabel_scores(per_label);
  // micro: pooled tp 4, fp 3, fn 4 -> 8 / (8 + 3 + 4) = 8/15
  EXPECT_DOUBLE_EQ(scores.micro_f1, 8.0 / 15.0);
  // macro: (0.75 + 0.4 + 0) / 3 = 1.15 / 3
  EXPECT_DOUBLE_EQ(scores.macro_f1, 1.15 / 3.0);
  // weighted by positives: (4 * 0.75 + 4 * 0.4 + 0 * 0) / 8 = 4.6 / 8 = 0.575
  EXPECT_DOUBLE_EQ(scores.weighted_f1, 0.575);
}

TEST(MultilabelScores, NoCountsScoreZero) {
  EXPECT_DOUBLE_EQ(BinaryCounts{}.f1(), 0.0);
  const auto empty = multilabel_scores({});
  EXPECT_DOUBLE_EQ(empty.micro_f1, 0.0);
  EXPECT_DOUBLE_EQ(empty.macro_f1, 0.0);
  EXPECT_DOUBLE_EQ(empty.weighted_f1, 0.0);
  // No positives anywhere and only false positives: every F1 is 0, weighted 0/0 -> 0.
  const auto only_fp = multilabel_scores({BinaryCounts{0, 3, 0}, BinaryCounts{0, 0, 0}});
  EXPECT_DOUBLE_EQ(only_fp.micro_f1, 0.0);
  EXPECT_DOUBLE_EQ(only_fp.macro_f1, 0.0);
  EXPECT_DOUBLE_EQ(only_fp.weighted_f1, 0.0);
}

}  // namespace
}  // namespace mmoe::trainer
