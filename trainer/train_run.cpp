#include "trainer/train_run.h"

#include <unistd.h>

#include <cstring>
#include <optional>

#include "core/build_info.h"
#include "distributed/abort_on_failure.h"
#include "distributed/communicator_factory.h"
#include "tracking/store.h"
#include "trainer/checkpointer.h"
#include "trainer/device_choice.h"
#include "trainer/resume.h"
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

std::string create_run(tracking::Store& store, const experiments::LoadedConfig& loaded, const Trainer& trainer,
                       const distributed::Communicator& communicator, const TrainRunOptions& options) {
  const auto& config = loaded.config;
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
  // Where its checkpoints go, absolute: `mmoe eval --run` finds them from any directory.
  run.tags[kCheckpointRootTag] = std::filesystem::absolute(config.train.checkpoint_dir).lexically_normal().string();
  run.git_commit = build_info::kGitCommit;
  run.host = host_name();
  run.world_size = communicator.world_size();
  run.command_line = options.command_line;
  run.monitor = trainer.monitor_name();
  run.monitor_mode = trainer.monitor_mode();
  run.sweep_id = options.sweep_id;
  run.trial = options.trial;
  return store.create_run(run);
}

// The checkpoint --resume names, checked against the config; nullopt for a new run.
std::optional<Checkpoint> checkpoint_to_resume(const experiments::LoadedConfig& loaded, const TrainRunOptions& options,
                                               const tracking::Store& store) {
  if (options.resume.empty()) return std::nullopt;
  std::optional<Checkpoint> checkpoint;
  if (options.resume == "auto") {
    const auto& dir = loaded.config.train.checkpoint_dir;
    const auto found = find_resumable_checkpoint(dir, loaded, store);
    if (!found) {
      if (options.on_note) {
        options.on_note("--resume auto: no resumable checkpoint for this config under '" + dir +
                        "'; starting a new run");
      }
      return std::nullopt;
    }
    checkpoint = load_checkpoint(found->dir);
  } else {
    checkpoint = load_checkpoint(options.resume);
  }
  check_resumable(*checkpoint, loaded);
  return checkpoint;
}

// Rank 0's string on every rank (the run id, the checkpoint to resume).
std::string broadcast_string(distributed::Communicator& communicator, const std::string& value,
                             const torch::Device& device) {
  if (communicator.world_size() == 1) return value;
  std::vector<torch::Tensor> length = {torch::tensor({static_cast<int64_t>(value.size())}, torch::kInt64).to(device)};
  communicator.broadcast(length, 0);
  const int64_t size = length[0].to(torch::kCPU).item<int64_t>();
  if (size == 0) return {};
  auto bytes = torch::empty({size}, torch::kUInt8);
  if (communicator.is_root()) std::memcpy(bytes.data_ptr<uint8_t>(), value.data(), value.size());
  std::vector<torch::Tensor> payload = {bytes.to(device)};
  communicator.broadcast(payload, 0);
  const auto received = payload[0].to(torch::kCPU).contiguous();
  return std::string(reinterpret_cast<const char*>(received.data_ptr<uint8_t>()), static_cast<size_t>(size));
}

// Everything after the communicator exists; every rank runs it.
TrainRunResult train_on_every_rank(const experiments::LoadedConfig& loaded, const TrainRunOptions& options,
                                   distributed::Communicator& communicator, int64_t local_rank) {
  const auto& config = loaded.config;
  const bool root = communicator.is_root();
  Trainer trainer(config, communicator, options.stop_requested, local_rank);

  TrainRunResult result;
  result.rank = communicator.rank();
  result.world_size = communicator.world_size();
  result.store_path = config.tracking.store;
  std::optional<tracking::Store> store;
  std::optional<Checkpoint> resume_from;
  std::string resume_dir;
  if (root) {
    store.emplace(tracking::Store::open(config.tracking.store));
    resume_from = checkpoint_to_resume(loaded, options, *store);
    if (resume_from) resume_dir = resume_from->info.dir.string();
  }
  // The other ranks load the checkpoint rank 0 chose (checkpoints must be on a shared filesystem).
  resume_dir = broadcast_string(communicator, resume_dir, trainer.device());
  if (!root && !resume_dir.empty()) resume_from = load_checkpoint(resume_dir);
  if (resume_from) {
    trainer.restore_state(resume_from->state);
    result.run_id = resume_from->info.run_id;
    result.resumed_from_epoch = resume_from->state.loop.completed_epoch;
    if (root) {
      store->resume_run(result.run_id, result.resumed_from_epoch);
      const auto& loop = resume_from->state.loop;
      if (loop.best_epoch > 0) store->set_best(result.run_id, loop.best_epoch, loop.best_value);
      if (options.on_note) {
        options.on_note("resuming run " + result.run_id + " from '" + resume_dir + "' after epoch " +
                        std::to_string(result.resumed_from_epoch));
      }
    }
  } else if (root) {
    result.run_id = create_run(*store, loaded, trainer, communicator, options);
  }
  result.run_id = broadcast_string(communicator, result.run_id, trainer.device());
  if (root && options.on_run_created) options.on_run_created(result.run_id);
  result.checkpoint_dir = std::filesystem::path(config.train.checkpoint_dir) / result.run_id;

  std::optional<StoreRecorder> recorder;
  std::optional<Checkpointer> checkpointer;
  std::vector<TrainingObserver*> observers;
  if (root) {
    recorder.emplace(*store, result.run_id);
    observers.push_back(&*recorder);
    checkpointer.emplace(trainer, CheckpointerOptions{result.checkpoint_dir, result.run_id, loaded.resolved_yaml,
                                                      loaded.hash});
    observers.push_back(&*checkpointer);
    if (options.console != nullptr) observers.push_back(options.console);
  }
  FanOut fan_out(observers);
  try {
    result.summary = trainer.train(fan_out);
  } catch (const TrainingInterrupted& e) {
    // Every rank stopped after the same step; rank 0 keeps it for --resume.
    const bool preempted = options.stop_is_preemption && options.stop_is_preemption();
    if (root) {
      try {
        checkpointer->write_last();
      } catch (const std::exception& write_error) {
        store->finish_run(result.run_id, tracking::RunStatus::kFailed,
                          std::string(e.what()) + ", but its checkpoint could not be written: " + write_error.what());
        throw;
      }
      store->finish_run(result.run_id, preempted ? tracking::RunStatus::kPreempted : tracking::RunStatus::kInterrupted,
                        e.what());
    }
    if (preempted) throw TrainingPreempted(e.what());
    throw;
  } catch (const std::exception& e) {
    if (root) store->finish_run(result.run_id, tracking::RunStatus::kFailed, e.what());
    throw;
  }
  if (root) store->finish_run(result.run_id, tracking::RunStatus::kFinished);
  return result;
}

}  // namespace

TrainRunResult run_training(const experiments::LoadedConfig& loaded, const TrainRunOptions& options) {
  const auto& config = loaded.config;
  const auto world = distributed::discover_world(distributed::process_environment());
  const auto device = choose_device(config.train.device, world.local_rank);
  auto communicator = distributed::make_communicator(to_backend(config.distributed.backend), world, device.is_cuda(),
                                                     config.distributed.timeout_s);
  communicator->set_interrupt_flag(options.stop_requested);
  // Only rank 0 talks to people.
  TrainRunOptions rank_options = options;
  if (!communicator->is_root()) {
    rank_options.console = nullptr;
    rank_options.on_note = nullptr;
  }
  // An interruption every rank agreed on (Trainer stops them after the same step) ends the job
  // normally; any other failure of one rank aborts all of them.
  std::optional<TrainingInterrupted> interrupted;
  std::optional<TrainingPreempted> preempted;
  auto result = distributed::run_or_abort(
      *communicator,
      [&] {
        try {
          return train_on_every_rank(loaded, rank_options, *communicator, world.local_rank);
        } catch (const TrainingPreempted& e) {
          preempted = e;
          return TrainRunResult{};
        } catch (const TrainingInterrupted& e) {
          interrupted = e;
          return TrainRunResult{};
        }
      },
      communicator->world_size() > 1 ? options.on_rank_failure : std::function<void(const std::string&)>{});
  if (preempted) throw *preempted;
  if (interrupted) throw *interrupted;
  return result;
}

}  // namespace mmoe::trainer
