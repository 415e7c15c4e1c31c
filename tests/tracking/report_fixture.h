#pragma once
// A store with one three-epoch run of two tasks (family: multiclass with a confusion matrix;
// trophic: regression) and hand-picked values, shared by the report and export tests.
#include <string>

#include "test_store.h"
#include "tracking/store.h"

namespace mmoe::tracking::testing {

// The family confusion matrix logged at epoch `epoch` (3 classes, row = true class):
//   [[5 + epoch, 1, 0], [0, 4, 0], [2, 0, 3]]
ConfusionMatrixRecord sample_confusion(int64_t epoch);

// sample_epoch_v2(epoch) plus sample_confusion(epoch) and val_accuracy = 0.6 + epoch / 100; at
// epoch 3 the family gate collapses onto expert 0 (utilization 0.94, 0.02, 0.02, 0.02).
EpochRecord report_epoch(int64_t epoch);

// Creates a run in `store` and logs report_epoch(1..3); returns its id.
std::string log_report_run(Store& store);

}  // namespace mmoe::tracking::testing
