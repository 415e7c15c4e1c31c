#include "trainer/trainer.h"

#include <chrono>
#include <cmath>

#include "data/batch_order.h"
#include "data/feature_statistics.h"
#include "models/gate_stats.h"
#include "models/make_model.h"
#include "models/masked_loss.h"
#include "trainer/evaluator.h"
#include "trainer/model_factory.h"
#include "trainer/train_error.h"
#include "trainer/training_statistics.h"

namespace mmoe::trainer {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

torch::Device pick_device(experiments::Device device) {
  const bool cuda = torch::cuda::is_available();
  if (device == experiments::Device::kCuda && !cuda) {
    throw TrainError("train.device: 'cuda' requested but LibTorch sees no CUDA device; use train.device=cpu or auto");
  }
  return (device == experiments::Device::kCpu || !cuda) ? torch::Device(torch::kCPU) : torch::Device(torch::kCUDA);
}

// Mean weighted F1 over classification tasks; nullopt when there are none.
std::optional<double> mean_weighted_f1(const std::vector<TaskScores>& scores) {
  double sum = 0.0;
  int count = 0;
  for (const auto& s : scores) {
    if (s.weighted_f1) {
      sum += *s.weighted_f1;
      ++count;
    }
  }
  if (count == 0) return std::nullopt;
  return sum / count;
}

}  // namespace

Trainer::Trainer(experiments::Config config, distributed::Communicator& communicator,
                 const std::atomic<bool>* stop_requested)
    : config_(std::move(config)), communicator_(communicator), stop_requested_(stop_requested) {
  device_ = pick_device(config_.train.device);
  if (config_.train.num_threads > 0) torch::set_num_threads(static_cast<int>(config_.train.num_threads));
  manifest_ = data::load_manifest(config_.data.dir);
  const auto tasks = select_tasks(config_, manifest_);
  train_ = data::load_split(config_.data.dir, manifest_, config_.data.train_split, tasks);
  val_ = data::load_split(config_.data.dir, manifest_, config_.data.val_split, tasks);

  torch::manual_seed(config_.train.seed);
  auto heads = head_specs(config_, tasks);
  apply_training_statistics(config_, train_, heads);
  monitor_is_f1_ = config_.train.monitor == experiments::Monitor::kValWeightedF1;
  const bool any_classification = std::any_of(heads.begin(), heads.end(), [](const auto& h) {
    return h.type != TaskType::kRegression;
  });
  if (!any_classification) monitor_is_f1_ = false;  // documented fallback: val_loss
  model_ = models::make_model(model_spec(config_, manifest_.feature_dim, std::move(heads)));
  if (config_.model.standardize_features) {
    // The dataset's own statistics when its writer recorded them for this split, else one pass.
    const auto& recorded = manifest_.feature_stats;
    if (recorded && recorded->split == config_.data.train_split && recorded->rows == train_.rows()) {
      model_->set_feature_statistics(torch::tensor(recorded->mean, torch::kDouble).to(torch::kFloat),
                                     torch::tensor(recorded->std, torch::kDouble).to(torch::kFloat));
    } else {
      const auto [mean, std] = data::feature_statistics(train_.features);
      model_->set_feature_statistics(mean, std);
    }
  }
  model_->to(device_);
  optimizer_ = make_optimizer(*model_, config_.optim);
  if (config_.scheduler.type == experiments::SchedulerType::kReduceOnPlateau) {
    PlateauOptions plateau;
    plateau.mode = monitor_is_f1_ ? PlateauMode::kMax : PlateauMode::kMin;
    plateau.factor = config_.scheduler.factor;
    plateau.patience = config_.scheduler.patience;
    plateau.threshold = config_.scheduler.threshold;
    plateau.threshold_mode = config_.scheduler.threshold_mode == experiments::ThresholdMode::kRel
                                 ? PlateauThresholdMode::kRel
                                 : PlateauThresholdMode::kAbs;
    plateau.cooldown = config_.scheduler.cooldown;
    plateau.min_lrs = {config_.scheduler.min_lr};
    plateau.eps = config_.scheduler.eps;
    scheduler_.emplace(plateau);
  }
}

std::string Trainer::monitor_name() const { return monitor_is_f1_ ? "val_weighted_f1" : "val_loss"; }

void Trainer::check_stop(int64_t epoch, int64_t step) const {
  if (stop_requested_ != nullptr && stop_requested_->load()) {
    throw TrainingInterrupted("training interrupted by a signal at epoch " + std::to_string(epoch) + " step " +
                              std::to_string(step));
  }
}

double Trainer::train_one_epoch(int64_t epoch, TrainingObserver& observer, EpochReport& report) {
  model_->train();
  const auto& heads = model_->tasks();
  const int64_t batch_size = config_.train.batch_size;
  const auto order = data::epoch_permutation(train_.rows(), config_.train.seed, epoch);
  // Drop a ragged last batch only when there is a full one (BatchNorm needs > 1 row).
  const auto batches = data::split_into_batches(order, batch_size, train_.rows() >= batch_size);
  const auto layout = model_->gate_layout();
  std::optional<models::GateStatsAccumulator> gate_stats;
  if (layout.has_gates()) {
    gate_stats.emplace(static_cast<int64_t>(layout.gate_names.size()),
                       static_cast<int64_t>(layout.expert_names.front().size()));
  }
  std::vector<TaskMetricAccumulator> train_metrics;
  for (const auto& head : heads) train_metrics.emplace_back(head);
  const auto start = Clock::now();
  double loss_sum = 0.0;
  int64_t rows_seen = 0;
  for (size_t b = 0; b < batches.size(); ++b) {
    check_stop(epoch, global_step_);
    const auto& index = batches[b];
    const auto x = train_.features.index_select(0, index).to(device_);
    std::vector<torch::Tensor> labels;
    for (const auto& label : train_.labels) labels.push_back(label.index_select(0, index).to(device_));
    // Each task's loss is normalised by the weight of its labelled rows in the global batch.
    const auto local_denominators = models::loss_denominators(labels, heads);
    std::vector<torch::Tensor> global_denominators = {local_denominators.clone()};
    communicator_.all_reduce(global_denominators, distributed::ReduceOp::kSum);

    optimizer_.optimizer->zero_grad();
    const auto out = model_->forward(x);
    auto losses = models::masked_task_losses(out.task_outputs, labels, heads, global_denominators[0]);
    losses.total = model_->combine_task_losses(losses.per_task);
    if (out.aux_loss.defined()) losses.total = losses.total + out.aux_loss;
    const double loss = losses.total.item<double>();
    if (!std::isfinite(loss)) {
      for (size_t t = 0; t < heads.size(); ++t) {
        const double value = losses.per_task[t].item<double>();
        if (!std::isfinite(value)) {
          throw TrainError("non-finite loss (" + std::to_string(value) + ") in task '" + heads[t].name + "' at epoch " +
                           std::to_string(epoch) + " step " + std::to_string(global_step_ + 1) +
                           "; lower optim.lr or check the data for extreme values");
        }
      }
    }
    losses.total.backward();
    if (config_.optim.max_grad_norm > 0.0) {
      torch::nn::utils::clip_grad_norm_(model_->parameters(), config_.optim.max_grad_norm);
    }
    optimizer_.optimizer->step();
    ++global_step_;

    if (gate_stats) gate_stats->add(out.gates);
    for (size_t t = 0; t < heads.size(); ++t) {
      // This process's share: its rows' loss sum over its rows' weight (sums across ranks).
      const auto index_t = static_cast<int64_t>(t);
      train_metrics[t].add_loss(losses.per_task[t].item<double>() * global_denominators[0][index_t].item<double>(),
                                local_denominators[index_t].item<double>());
      train_metrics[t].add_predictions(out.task_outputs[t], labels[t]);
    }
    loss_sum += loss;
    rows_seen += index.size(0);
    if ((b + 1) % static_cast<size_t>(config_.train.log_every_steps) == 0 || b + 1 == batches.size()) {
      StepProgress progress;
      progress.epoch = epoch;
      progress.epochs = config_.train.epochs;
      progress.step_in_epoch = static_cast<int64_t>(b + 1);
      progress.steps_in_epoch = static_cast<int64_t>(batches.size());
      progress.global_step = global_step_;
      progress.loss = loss;
      progress.epoch_elapsed_seconds = seconds_since(start);
      progress.rows_per_second = static_cast<double>(rows_seen) / std::max(1e-9, progress.epoch_elapsed_seconds);
      observer.on_step(progress);
    }
  }
  report.epoch_seconds = seconds_since(start);
  report.rows_per_second = static_cast<double>(rows_seen) / std::max(1e-9, report.epoch_seconds);
  if (gate_stats) {
    report.gate_names = layout.gate_names;
    report.gates = gate_stats->summaries();
    report.gate_warnings =
        models::collapse_warnings(report.gates, report.gate_names, config_.model.gate.collapse_threshold);
  }
  for (auto& metrics : train_metrics) report.train.push_back(metrics.scores());
  return batches.empty() ? 0.0 : loss_sum / static_cast<double>(batches.size());
}

TrainSummary Trainer::train(TrainingObserver& observer) {
  TrainSummary summary;
  summary.monitor = monitor_name();
  for (int64_t epoch = 1; epoch <= config_.train.epochs; ++epoch) {
    EpochReport report;
    report.epoch = epoch;
    report.epochs = config_.train.epochs;
    for (const auto& head : model_->tasks()) report.tasks.push_back(head.name);
    for (const auto& name : optimizer_.lr_groups) report.learning_rates.emplace_back(name, optimizer_.learning_rate(name));
    report.train_loss = train_one_epoch(epoch, observer, report);
    report.global_step = global_step_;

    const auto evaluation = evaluate_split(*model_, val_, config_.train.eval_batch_size, device_);
    report.val = evaluation.tasks;
    report.val_loss = evaluation.weighted_loss;
    report.monitor = summary.monitor;
    report.monitor_value = monitor_is_f1_ ? mean_weighted_f1(report.val).value_or(0.0) : report.val_loss;
    const bool improved = summary.epochs_run == 0 ||
                          (monitor_is_f1_ ? report.monitor_value > summary.best_value
                                          : report.monitor_value < summary.best_value);
    if (improved) {
      summary.best_epoch = epoch;
      summary.best_value = report.monitor_value;
    }
    report.is_best = improved;
    if (scheduler_) optimizer_.set_learning_rates(scheduler_->step(report.monitor_value, optimizer_.learning_rates()));
    summary.epochs_run = epoch;
    summary.last = report;
    observer.on_epoch(report);
  }
  return summary;
}

}  // namespace mmoe::trainer
