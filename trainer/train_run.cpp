#include "trainer/train_run.h"

#include <unistd.h>

#include "core/build_info.h"
#include "distributed/communicator_factory.h"
#include "tracking/store.h"
#include "trainer/store_recorder.h"
#include "trainer/train_error.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {
namespace {

// Forwards every event to each observer in turn.
class FanOut final : public TrainingObserver {
 public:
  explicit FanOut(std::vector<TrainingObserver*> observers) : observers_(std::move(observers)) {}
  void on_step(const StepProgress& progress) override {
    for (auto* o : observers_) o->on_step(progress);
  }
  void on_epoch(const EpochReport& report) override {
    for (auto* o : observers_) o->on_epoch(report);
  }
  void on_note(const std::string& note) override {
    for (auto* o : observers_) o->on_note(note);
  }

 private:
  std::vector<TrainingObserver*> observers_;
};

distributed::Backend to_backend(experiments::DistributedBackend backend) {
  switch (backend) {
    case experiments::DistributedBackend::kAuto: return distributed::Backend::kAuto;
    case experiments::DistributedBackend::kLocal: return distributed::Backend::kLocal;
    case experiments::DistributedBackend::kMpi: return distributed::Backend::kMpi;
    case experiments::DistributedBackend::kNccl: return distributed::Backend::kNccl;
  }
  return distributed::Backend::kAuto;
}

std::string host_name() {
  char name[256] = {};
  return gethostname(name, sizeof(name) - 1) == 0 ? std::string(name) : std::string("unknown");
}

}  // namespace

TrainRunResult run_training(const experiments::LoadedConfig& loaded, const TrainRunOptions& options) {
  const auto& config = loaded.config;
  const auto world = distributed::discover_world(distributed::process_environment());
  auto communicator = distributed::make_communicator(to_backend(config.distributed.backend), world);
  Trainer trainer(config, *communicator, options.stop_requested);

  TrainRunResult result;
  result.store_path = config.tracking.store;
  auto store = tracking::Store::open(config.tracking.store);
  tracking::NewRun run;
  run.experiment = config.tracking.experiment;
  run.name = config.tracking.run_name;
  run.config_yaml = loaded.resolved_yaml;
  run.config_hash = loaded.hash;
  run.params = loaded.params;
  run.tags = config.tracking.tags;
  // Skipped rows are part of what the run trained on: recorded with it, only when there are any.
  if (trainer.skipped_train_rows() > 0 || trainer.skipped_val_rows() > 0) {
    run.tags["mmoe.skipped_nonfinite_rows.train"] = std::to_string(trainer.skipped_train_rows());
    run.tags["mmoe.skipped_nonfinite_rows.val"] = std::to_string(trainer.skipped_val_rows());
  }
  run.git_commit = build_info::kGitCommit;
  run.host = host_name();
  run.world_size = communicator->world_size();
  run.command_line = options.command_line;
  run.monitor = trainer.monitor_name();
  // The store infers runs.monitor_mode from the name (min for *loss*, *mae, *mse); an explicit
  // train.monitor_mode that disagrees needs NewRun::monitor_mode (tracking/, not yet there).
  result.run_id = store.create_run(run);
  if (options.on_run_created) options.on_run_created(result.run_id);

  StoreRecorder recorder(store, result.run_id);
  std::vector<TrainingObserver*> observers = {&recorder};
  if (options.console != nullptr) observers.push_back(options.console);
  FanOut fan_out(observers);
  try {
    result.summary = trainer.train(fan_out);
  } catch (const TrainingInterrupted& e) {
    store.finish_run(result.run_id, tracking::RunStatus::kInterrupted, e.what());
    throw;
  } catch (const std::exception& e) {
    store.finish_run(result.run_id, tracking::RunStatus::kFailed, e.what());
    throw;
  }
  store.finish_run(result.run_id, tracking::RunStatus::kFinished);
  return result;
}

}  // namespace mmoe::trainer
