#include "report_fixture.h"

namespace mmoe::tracking::testing {

ConfusionMatrixRecord sample_confusion(int64_t epoch) {
  return ConfusionMatrixRecord{"family", "val", 3, {5 + epoch, 1, 0, 0, 4, 0, 2, 0, 3}};
}

EpochRecord report_epoch(int64_t epoch) {
  EpochRecord record = sample_epoch_v2(epoch);
  record.metrics.emplace_back("val_accuracy", 0.6 + static_cast<double>(epoch) / 100.0);
  record.confusion_matrices = {sample_confusion(epoch)};
  if (epoch == 3) record.gates[0].utilization = {0.94, 0.02, 0.02, 0.02};
  return record;
}

std::string log_report_run(Store& store) {
  const std::string id = store.create_run(sample_run("fish"));
  for (int64_t epoch = 1; epoch <= 3; ++epoch) store.log_epoch(id, report_epoch(epoch));
  return id;
}

}  // namespace mmoe::tracking::testing
