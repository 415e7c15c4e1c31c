#include "trainer/trainer.h"

#include <chrono>
#include <cmath>
#include <limits>

#include "data/feature_statistics.h"
#include "data/shard_provenance.h"
#include "data/shard_reader.h"
#include "models/gate_stats.h"
#include "models/make_model.h"
#include "models/masked_loss.h"
#include "trainer/device_choice.h"
#include "trainer/evaluator.h"
#include "trainer/metric_reduction.h"
#include "trainer/grad_norm.h"
#include "trainer/model_factory.h"
#include "trainer/train_error.h"
#include "trainer/training_statistics.h"

namespace mmoe::trainer {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Per task: the multilabel threshold (tasks.<name>.threshold) and the dataset's class names.
std::vector<TaskMetricOptions> metric_options(const experiments::Config& config,
                                              const std::vector<data::TaskSchema>& tasks) {
  std::vector<TaskMetricOptions> options;
  for (const auto& task : tasks) {
    TaskMetricOptions task_options;
    const auto found = config.tasks.find(task.name);
    if (found != config.tasks.end()) task_options.threshold = found->second.threshold;
    task_options.class_names = task.class_names;
    options.push_back(std::move(task_options));
  }
  return options;
}

// Features mean and population std as data::feature_statistics computes them, over a split
// streamed in row order.
std::pair<torch::Tensor, torch::Tensor> streamed_feature_statistics(const data::SplitSource& source,
                                                                    const data::LoaderOptions& options) {
  const std::vector<data::RowRange> all = {data::RowRange{0, source.rows()}};
  const auto chunks = [&](const std::function<void(const torch::Tensor&)>& visit) {
    data::PrefetchLoader loader(source, all, options);
    while (auto batch = loader.next()) visit(batch->features);
  };
  return data::feature_statistics(chunks, source.rows(), source.feature_dim);
}

}  // namespace

Trainer::Trainer(experiments::Config config, distributed::Communicator& communicator,
                 const std::atomic<bool>* stop_requested, int64_t local_rank)
    : config_(std::move(config)), communicator_(communicator), stop_requested_(stop_requested) {
  device_ = choose_device(config_.train.device, local_rank);
  if (config_.train.num_threads > 0) torch::set_num_threads(static_cast<int>(config_.train.num_threads));
  manifest_ = data::load_manifest(config_.data.dir);
  const auto tasks = select_tasks(config_, manifest_);
  // The heads as configured; apply_training_statistics completes them once the train split is read.
  auto heads = head_specs(config_, tasks);
  // Before any split is read: a monitor the tasks cannot give fails fast.
  monitor_.emplace(config_.train, heads, manifest_);
  metric_options_ = metric_options(config_, tasks);
  const bool streaming = config_.data.cache == experiments::DataCache::kNone;
  if (streaming) {
    train_source_ = data::split_source(config_.data.dir, manifest_, config_.data.train_split, tasks);
    val_source_ = data::split_source(config_.data.dir, manifest_, config_.data.val_split, tasks);
    train_ = data::load_split_labels(train_source_);
    for (const auto& shard : val_source_.shards) {
      const auto header = data::read_shard_header(shard.path);  // fail before the run, not at epoch 1
      (void)header;
    }
  } else {
    const auto non_finite = config_.data.nonfinite_features == experiments::NonFiniteFeatures::kSkip
                                ? data::NonFiniteRows::kSkip
                                : data::NonFiniteRows::kError;
    train_ = data::load_split(config_.data.dir, manifest_, config_.data.train_split, tasks, non_finite);
    val_ = data::load_split(config_.data.dir, manifest_, config_.data.val_split, tasks, non_finite);
  }
  // After the splits' own checks (sizes, checksums name a damaged file better than HDF5 does).
  data::check_shard_provenance(config_.data.dir, manifest_);  // features of one backbone and preprocessing
  const int64_t train_rows = streaming ? train_source_.rows() : train_.rows();
  data::RowSamplerOptions sampling;
  sampling.rows = train_rows;
  sampling.world_size = communicator_.world_size();
  sampling.rank = communicator_.rank();
  sampling.mode = data::SamplerMode::kTrain;
  sampling.batch_size = config_.train.batch_size;
  // Drop a ragged last batch only when a rank has a full one (BatchNorm needs > 1 row).
  sampling.drop_last = train_rows / sampling.world_size >= config_.train.batch_size;
  sampling.seed = config_.train.seed;
  sampling.block_rows = streaming ? config_.data.chunk_rows : 1;
  sampler_.emplace(sampling);

  torch::manual_seed(config_.train.seed);
  apply_training_statistics(config_, train_, heads);
  spec_ = trainer::model_spec(config_, manifest_.feature_dim, std::move(heads));
  model_ = models::make_model(spec_);
  if (config_.model.standardize_features) {
    // The dataset's own statistics when its writer recorded them for this split, else one pass
    // (streamed from the shards with data.cache none).
    const auto& recorded = manifest_.feature_stats;
    if (recorded && recorded->split == config_.data.train_split && recorded->rows == train_rows) {
      model_->set_feature_statistics(torch::tensor(recorded->mean, torch::kDouble).to(torch::kFloat),
                                     torch::tensor(recorded->std, torch::kDouble).to(torch::kFloat));
    } else {
      const auto [mean, std] = streaming ? streamed_feature_statistics(train_source_, loader_options(8192, 1))
                                         : data::feature_statistics(train_.features);
      model_->set_feature_statistics(mean, std);
    }
  }
  if (config_.data.cache == experiments::DataCache::kDevice && device_ != torch::Device(torch::kCPU)) {
    for (auto* split : {&train_, &val_}) {
      split->features = split->features.to(device_);
      for (auto& label : split->labels) label = label.to(device_);
    }
  }
  model_->to(device_);
  if (communicator_.world_size() > 1) {
    // Losses are divided by the global batch's label counts, so the ranks' gradients sum to the
    // global gradient: kSum, not kAverage.
    reducer_ = std::make_unique<distributed::GradientReducer>(
        model_->parameters(), communicator_,
        distributed::GradientReducerOptions{config_.distributed.bucket_mb, distributed::ReduceOp::kSum});
    reducer_->broadcast_parameters();
    synchronize_buffers();
  }
  optimizer_ = make_optimizer(*model_, config_.optim);
  if (config_.scheduler.type == experiments::SchedulerType::kReduceOnPlateau) {
    PlateauOptions plateau;
    plateau.mode = monitor_->minimize() ? PlateauMode::kMin : PlateauMode::kMax;
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
  const auto& s = config_.scheduler;
  warmup_.emplace(optimizer_, std::max(s.warmup_steps, s.warmup_epochs * sampler_->batches_per_epoch()),
                  s.warmup_start_factor);
  early_stopping_.emplace(config_.train.early_stopping_patience, config_.train.early_stopping_min_delta,
                          !monitor_->minimize());
  nonfinite_loss_.emplace(config_.train.nonfinite_loss);
  amp_ = decide_amp(config_.train.amp, device_);
}

Trainer::~Trainer() = default;

LoopState Trainer::loop_state() const {
  return {warmup_->state(), early_stopping_->state(), nonfinite_loss_->state(), grad_norm_};
}

void Trainer::load_loop_state(const LoopState& state) {
  warmup_->load_state(state.warmup);
  early_stopping_->load_state(state.early_stopping);
  nonfinite_loss_->load_state(state.nonfinite_loss);
  grad_norm_ = state.grad_norm;
}

data::LoaderOptions Trainer::loader_options(int64_t batch_size, int64_t epoch) const {
  data::LoaderOptions options;
  options.batch_size = batch_size;
  options.chunk_rows = config_.data.chunk_rows;
  options.prefetch_batches = config_.data.prefetch_batches;
  options.shuffle_window_chunks = config_.data.shuffle_window_chunks;
  options.seed = config_.train.seed;
  options.epoch = epoch;
  options.rank = communicator_.rank();
  options.pin_memory = device_.is_cuda() && torch::cuda::is_available();
  return options;
}

SplitEvaluation Trainer::evaluate_val() {
  // Each rank evaluates its contiguous part of the split (all of it in one process); the sums
  // are all-reduced, so every row counts exactly once.
  const bool streaming = config_.data.cache == experiments::DataCache::kNone;
  data::RowSamplerOptions partition;
  partition.rows = std::max<int64_t>(1, streaming ? val_source_.rows() : val_.rows());
  partition.world_size = communicator_.world_size();
  partition.rank = communicator_.rank();
  partition.mode = data::SamplerMode::kEval;
  const auto range = data::RowSampler(partition).epoch_ranges(1).front();
  std::vector<TaskMetricAccumulator> accumulators;
  if (range.size() == 0) {
    accumulators = accumulate_batches(*model_, [] { return std::optional<data::Batch>(); }, device_, metric_options_);
  } else if (streaming) {
    data::PrefetchLoader loader(val_source_, {range}, loader_options(config_.train.eval_batch_size, 0));
    accumulators = accumulate_batches(*model_, [&] { return loader.next(); }, device_, metric_options_);
  } else {
    accumulators = accumulate_batches(
        *model_, split_batches(val_, config_.train.eval_batch_size, range.begin, range.end), device_, metric_options_);
  }
  all_reduce_metrics(accumulators, communicator_, device_);
  return summarize(accumulators);
}

double Trainer::agree_on_step(double local_loss) {
  const bool stop = stop_requested_ != nullptr && stop_requested_->load();
  if (communicator_.world_size() == 1) return local_loss;
  std::vector<torch::Tensor> values = {
      torch::tensor({local_loss, stop ? 1.0 : 0.0}, torch::TensorOptions(torch::kDouble)).to(device_)};
  communicator_.all_reduce(values, distributed::ReduceOp::kSum);
  const auto summed = values[0].to(torch::kCPU);
  if (summed[1].item<double>() > 0.0) stop_agreed_ = true;
  return summed[0].item<double>();  // NaN or Inf when any rank's share is
}

void Trainer::synchronize_buffers() {
  std::vector<torch::Tensor> buffers;
  for (auto& buffer : model_->buffers()) {
    if (buffer.defined()) buffers.push_back(buffer);
  }
  if (!buffers.empty()) communicator_.broadcast(buffers, 0);
}

bool Trainer::stop_now() const {
  return communicator_.world_size() > 1 ? stop_agreed_ : (stop_requested_ != nullptr && stop_requested_->load());
}

void Trainer::throw_stop(int64_t epoch, int64_t step) const {
  throw TrainingInterrupted("training interrupted by a signal at epoch " + std::to_string(epoch) + " step " +
                            std::to_string(step));
}

double Trainer::train_one_epoch(int64_t epoch, TrainingObserver& observer, EpochReport& report) {
  model_->train();
  const auto& heads = model_->tasks();
  const int64_t steps = sampler_->batches_per_epoch();
  // A checkpoint written mid-epoch continues this epoch at its next batch with its sums.
  std::optional<PartialEpoch> resumed;
  if (resume_partial_ && resume_partial_->epoch == epoch) resumed = std::move(*resume_partial_);
  resume_partial_.reset();
  const int64_t first_batch = resumed ? resumed->next_batch : 0;
  std::unique_ptr<data::PrefetchLoader> loader;
  if (config_.data.cache == experiments::DataCache::kNone) {
    auto options = loader_options(config_.train.batch_size, epoch);
    options.shuffle = true;
    options.drop_last = sampler_->options().drop_last;
    options.start_batch = first_batch;  // the batches done before the stop are not read again
    loader = std::make_unique<data::PrefetchLoader>(train_source_, sampler_->epoch_ranges(epoch), options);
  } else {
    sampler_->restore(data::SamplerPosition{epoch, first_batch});
  }
  const auto next_batch = [&]() -> std::optional<data::Batch> {
    if (loader) return loader->next();
    const auto index = sampler_->next_batch();
    if (!index) return std::nullopt;
    const auto rows = index->to(train_.features.device());
    data::Batch batch;
    batch.features = train_.features.index_select(0, rows);
    for (const auto& label : train_.labels) batch.labels.push_back(label.index_select(0, rows));
    return batch;
  };
  const auto layout = model_->gate_layout();
  std::optional<models::GateStatsAccumulator> gate_stats;
  if (layout.has_gates()) {
    gate_stats.emplace(static_cast<int64_t>(layout.gate_names.size()),
                       static_cast<int64_t>(layout.expert_names.front().size()));
  }
  std::vector<TaskMetricAccumulator> train_metrics;
  for (size_t t = 0; t < heads.size(); ++t) train_metrics.emplace_back(heads[t], metric_options_[t]);
  const auto start = Clock::now();
  double loss_sum = 0.0;
  int64_t rows_seen = 0;
  int64_t applied = 0;  // steps not skipped for a non-finite loss
  double elapsed_before = 0.0;
  if (resumed) {
    // The policies' epoch counters (grad norm, skipped steps) came back with restore_state.
    loss_sum = resumed->loss_sum;
    applied = resumed->applied;
    rows_seen = resumed->rows_seen;
    elapsed_before = resumed->elapsed_seconds;
    if (resumed->metric_states.size() != train_metrics.size() ||
        (gate_stats.has_value() != resumed->gate_sums.defined())) {
      throw TrainError("the checkpoint's partial epoch " + std::to_string(epoch) + " has " +
                       std::to_string(resumed->metric_states.size()) + " tasks, the model " +
                       std::to_string(train_metrics.size()) + "; resume with the config it was written with");
    }
    for (size_t t = 0; t < train_metrics.size(); ++t) {
      train_metrics[t].load_state(resumed->metric_states[t]);
      std::vector<ScoreSamples> samples(resumed->auc_scores[t].size());
      for (size_t k = 0; k < samples.size(); ++k) {
        for (double score : resumed->auc_scores[t][k].first) samples[k].add(score, true);
        for (double score : resumed->auc_scores[t][k].second) samples[k].add(score, false);
      }
      train_metrics[t].replace_auc_samples(std::move(samples));
    }
    if (gate_stats) gate_stats->load_packed_sums(resumed->gate_sums);
  } else {
    grad_norm_ = {};
    nonfinite_loss_->start_epoch();
  }
  // What a stop signal leaves in the checkpoint: the sums so far, over every rank.
  const auto keep_partial_epoch = [&](int64_t done) {
    if (gate_stats) all_reduce_gate_stats(*gate_stats, communicator_, device_);
    all_reduce_metrics(train_metrics, communicator_, device_);
    PartialEpoch partial;
    partial.epoch = epoch;
    partial.next_batch = done;
    partial.loss_sum = loss_sum;
    partial.applied = applied;
    partial.rows_seen = rows_seen;
    partial.elapsed_seconds = elapsed_before + seconds_since(start);
    for (const auto& metrics : train_metrics) {
      partial.metric_states.push_back(metrics.state());
      std::vector<std::pair<std::vector<double>, std::vector<double>>> problems;
      for (const auto& samples : metrics.auc_samples()) problems.emplace_back(samples.positive(), samples.negative());
      partial.auc_scores.push_back(std::move(problems));
    }
    if (gate_stats) partial.gate_sums = gate_stats->packed_sums();
    stopped_partial_ = std::move(partial);
  };
  int64_t b = first_batch;
  for (;; ++b) {
    if (stop_now()) {
      keep_partial_epoch(b);
      throw_stop(epoch, loop_.global_step);
    }
    auto batch = next_batch();
    if (!batch) break;
    const auto x = batch->features.to(device_);
    std::vector<torch::Tensor> labels;
    for (const auto& label : batch->labels) labels.push_back(label.to(device_));
    // Each task's loss is normalised by the weight of its labelled rows in the global batch.
    const auto local_denominators = models::loss_denominators(labels, heads);
    std::vector<torch::Tensor> global_denominators = {local_denominators.clone()};
    communicator_.all_reduce(global_denominators, distributed::ReduceOp::kSum);

    optimizer_.optimizer->zero_grad();
    warmup_->before_step(optimizer_);
    models::ModelOutput out;
    models::TaskLosses losses;
    {
      AutocastGuard autocast(amp_.autocast);  // train.amp: forward and loss only
      out = model_->forward(x);
      losses = models::masked_task_losses(out.task_outputs, labels, heads, global_denominators[0]);
      // Each rank's per-task losses are its share of the global loss; the terms that are not
      // (uncertainty weighting's log-variances, the gates' auxiliary loss, a per-rank mean)
      // count 1/W on each rank, so the ranks' totals and gradients sum to the global ones.
      const double rank_share = 1.0 / static_cast<double>(communicator_.world_size());
      losses.total = model_->combine_task_losses(losses.per_task, rank_share);
      if (out.aux_loss.defined()) losses.total = losses.total + out.aux_loss * rank_share;
    }
    const double loss = agree_on_step(losses.total.item<double>());
    const bool skipped = nonfinite_loss_->skip_step(std::isfinite(loss), epoch, loop_.global_step + 1, [&] {
      return describe_nonfinite_loss(losses.per_task, heads, loss);
    });
    if (!skipped) {
      losses.total.backward();
      if (reducer_) reducer_->finalize();  // every rank now holds the global gradient
      grad_norm_.sum += clip_grad_norm(model_->parameters(), config_.optim.max_grad_norm);
      ++grad_norm_.steps;
      optimizer_.optimizer->step();
    }
    std::vector<std::pair<std::string, double>> step_lrs;
    for (const auto& name : optimizer_.lr_groups) step_lrs.emplace_back(name, optimizer_.learning_rate(name));
    warmup_->after_step(optimizer_);
    ++loop_.global_step;

    if (!skipped) {
      if (gate_stats) gate_stats->add(out.gates.to(torch::kFloat));
      for (size_t t = 0; t < heads.size(); ++t) {
        // This process's share: its rows' loss sum over its rows' weight (sums across ranks).
        const auto index_t = static_cast<int64_t>(t);
        train_metrics[t].add_loss(losses.per_task[t].item<double>() * global_denominators[0][index_t].item<double>(),
                                  local_denominators[index_t].item<double>());
        train_metrics[t].add_predictions(out.task_outputs[t].to(torch::kFloat), labels[t]);
      }
      loss_sum += loss;
      ++applied;
    }
    rows_seen += x.size(0) * communicator_.world_size();  // every rank's share is the same size
    {
      StepProgress progress;
      progress.log_step = (b + 1) % config_.train.log_every_steps == 0 || b + 1 == steps;
      progress.skipped = skipped;
      progress.learning_rates = std::move(step_lrs);
      progress.epoch = epoch;
      progress.epochs = config_.train.epochs;
      progress.step_in_epoch = b + 1;
      progress.steps_in_epoch = steps;
      progress.global_step = loop_.global_step;
      progress.loss = loss;
      progress.epoch_elapsed_seconds = elapsed_before + seconds_since(start);
      progress.rows_per_second = static_cast<double>(rows_seen) / std::max(1e-9, progress.epoch_elapsed_seconds);
      observer.on_step(progress);
    }
  }
  if (gate_stats) all_reduce_gate_stats(*gate_stats, communicator_, device_);
  all_reduce_metrics(train_metrics, communicator_, device_);
  if (reducer_) synchronize_buffers();
  report.epoch_seconds = elapsed_before + seconds_since(start);
  report.rows_per_second = static_cast<double>(rows_seen) / std::max(1e-9, report.epoch_seconds);
  if (gate_stats) {
    report.gate_names = layout.gate_names;
    report.gates = gate_stats->summaries();
    report.gate_warnings =
        models::collapse_warnings(report.gates, report.gate_names, config_.model.gate.collapse_threshold);
  }
  for (auto& metrics : train_metrics) report.train.push_back(metrics.scores());
  if (grad_norm_.steps > 0) report.grad_norm = grad_norm_.sum / static_cast<double>(grad_norm_.steps);
  report.skipped_steps = nonfinite_loss_->state().skipped_in_epoch;
  return applied == 0 ? 0.0 : loss_sum / static_cast<double>(applied);
}

TrainSummary Trainer::train(TrainingObserver& observer) {
  TrainSummary summary;
  summary.monitor = monitor_name();
  if (!amp_.note.empty()) observer.on_note(amp_.note);
  for (int64_t epoch = loop_.completed_epoch + 1; epoch <= config_.train.epochs; ++epoch) {
    EpochReport report;
    report.epoch = epoch;
    report.epochs = config_.train.epochs;
    for (const auto& head : model_->tasks()) report.tasks.push_back(head.name);
    report.train_loss = train_one_epoch(epoch, observer, report);
    // The optimizer's lrs at the epoch's end: its last step's, or the full lrs when that step
    // ended the warmup; before the plateau step.
    for (const auto& name : optimizer_.lr_groups) report.learning_rates.emplace_back(name, optimizer_.learning_rate(name));
    report.global_step = loop_.global_step;

    const auto evaluation = evaluate_val();
    report.val = evaluation.tasks;
    report.val_loss = evaluation.weighted_loss;
    report.monitor = summary.monitor;
    report.monitor_value = monitor_->value(report.val, report.val_loss);
    const bool improved = monitor_->improves(
        report.monitor_value, loop_.best_epoch == 0 ? std::numeric_limits<double>::quiet_NaN() : loop_.best_value);
    if (improved) {
      loop_.best_epoch = epoch;
      loop_.best_value = report.monitor_value;
    }
    report.is_best = improved;
    // The plateau scheduler waits for the warmup to end, then reduces the post-warmup lr.
    if (scheduler_ && !warmup_->active()) {
      optimizer_.set_learning_rates(scheduler_->step(report.monitor_value, optimizer_.learning_rates()));
    }
    report.early_stop = early_stopping_->should_stop(epoch, report.monitor_value);
    loop_.completed_epoch = epoch;
    summary.last = report;
    observer.on_epoch(report);
    if (report.early_stop) {
      summary.stopped_early = true;
      summary.stopped_epoch = epoch;
      break;
    }
  }
  summary.epochs_run = loop_.completed_epoch;
  summary.best_epoch = loop_.best_epoch;
  summary.best_value = loop_.best_value;
  return summary;
}

}  // namespace mmoe::trainer
