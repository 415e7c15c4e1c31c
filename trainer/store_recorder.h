#pragma once
// Writes each epoch of a run to the experiment store (rank 0 only: other ranks pass no store).
#include <string>

#include "tracking/store.h"
#include "trainer/epoch_report.h"

namespace mmoe::trainer {

tracking::EpochRecord to_epoch_record(const EpochReport& report);
// One task's scores on one split ("train", "val", or an evaluated split such as "test").
tracking::TaskMetricsRecord to_task_metrics_record(const std::string& task, const std::string& split,
                                                   const TaskScores& scores);

class StoreRecorder final : public TrainingObserver {
 public:
  StoreRecorder(tracking::Store& store, std::string run_id) : store_(store), run_id_(std::move(run_id)) {}
  void on_epoch(const EpochReport& report) override;

 private:
  tracking::Store& store_;
  std::string run_id_;
};

}  // namespace mmoe::trainer
