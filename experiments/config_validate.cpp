// Bounds of every config value, in one place per section (see config.h for the contract).
#include "experiments/config_validate.h"

#include <cmath>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mmoe::experiments {

namespace {

// "[256, 0]", "[1, -0.5]" for messages.
template <typename Number>
std::string list_text(const std::vector<Number>& values) {
  return fmt::format("[{}]", fmt::join(values, ", "));
}

// Bound checks that throw a ConfigError naming the key path; NaN and infinities always fail.
class Bounds {
 public:
  explicit Bounds(const ConfigSources& sources) : sources_(sources) {}

  void at_least(const std::string& path, int64_t value, int64_t min,
                const std::string& hint = "") const {
    if (value < min) fail(path, fmt::format("must be >= {} (got {})", min, value), hint);
  }
  void positive(const std::string& path, double value, const std::string& hint = "") const {
    if (!std::isfinite(value) || !(value > 0.0)) {
      fail(path, fmt::format("must be > 0 (got {})", value), hint);
    }
  }
  void non_negative(const std::string& path, double value, const std::string& hint = "") const {
    if (!std::isfinite(value) || !(value >= 0.0)) {
      fail(path, fmt::format("must be >= 0 (got {})", value), hint);
    }
  }
  // [0, 1): probabilities that must leave something (dropout, smoothing, betas).
  void unit_half_open(const std::string& path, double value,
                      const std::string& hint = "") const {
    if (!(value >= 0.0 && value < 1.0)) {
      fail(path, fmt::format("must be in [0, 1) (got {})", value), hint);
    }
  }
  // (0, 1): multiplicative factors that must shrink.
  void unit_open(const std::string& path, double value, const std::string& hint = "") const {
    if (!(value > 0.0 && value < 1.0)) {
      fail(path, fmt::format("must be in (0, 1) (got {})", value), hint);
    }
  }
  void non_empty(const std::string& path, const std::string& value,
                 const std::string& hint) const {
    if (value.empty()) fail(path, "must not be empty", hint);
  }
  void widths(const std::string& path, const std::vector<int64_t>& values) const {
    for (int64_t width : values) {
      if (width < 1) {
        fail(path, fmt::format("every layer width must be >= 1 (got {})", list_text(values)), "");
      }
    }
  }
  // class_weights, pos_weight: an explicit list holds at least one weight, each > 0.
  void label_weights(const std::string& path, const LabelWeights& weights) const {
    if (weights.mode != LabelWeights::Mode::kExplicit) return;
    if (weights.values.empty()) {
      fail(path, "must list at least one weight (got [])", "write none for no weights");
    }
    for (double weight : weights.values) {
      if (!std::isfinite(weight) || !(weight > 0.0)) {
        fail(path, fmt::format("every weight must be > 0 (got {})", list_text(weights.values)),
             "");
      }
    }
  }
  [[noreturn]] void fail(const std::string& path, const std::string& what,
                         const std::string& hint) const {
    sources_.fail(path, hint.empty() ? what : what + "; " + hint);
  }

 private:
  const ConfigSources& sources_;
};

void validate_data(const DataConfig& data, const Bounds& check) {
  if (data.dir.empty()) {
    check.fail("data.dir", "required", "set it in the file or with data.dir=PATH");
  }
  check.non_empty("data.train_split", data.train_split, "name a split of dataset.yaml");
  check.non_empty("data.val_split", data.val_split, "name a split of dataset.yaml");
  check.at_least("data.prefetch_batches", data.prefetch_batches, 1);
  check.at_least("data.shuffle_window_chunks", data.shuffle_window_chunks, 1);
  check.at_least("data.chunk_rows", data.chunk_rows, 1);
  if (data.nonfinite_features == NonFiniteFeatures::kSkip && data.cache == DataCache::kNone) {
    check.fail("data.nonfinite_features",
               "skip needs data.cache host or device (got none)",
               "a streamed epoch cannot drop rows and keep every rank's step count equal; clean the shards "
               "or hold the split in memory");
  }
}

void validate_model(const ModelConfig& model, const Bounds& check) {
  check.at_least("model.num_experts", model.num_experts, 1);
  if (model.expert_hidden.empty()) {
    check.fail("model.expert_hidden", "must list at least one layer width (got [])",
               "the last width is the expert output, e.g. [256, 128]");
  }
  check.widths("model.expert_hidden", model.expert_hidden);
  check.unit_half_open("model.expert_dropout", model.expert_dropout);
  check.widths("model.tower_hidden", model.tower_hidden);
  check.unit_half_open("model.tower_dropout", model.tower_dropout);
  check.positive("model.gate.temperature", model.gate.temperature,
                 "1 is a plain softmax; smaller is sharper");
  check.at_least("model.gate.top_k", model.gate.top_k, 0, "0 is a dense softmax");
  const bool gates_pool_all_experts =
      model.type == ModelType::kMmoe || model.type == ModelType::kOmoe;
  if (gates_pool_all_experts && model.gate.top_k > model.num_experts) {
    check.fail("model.gate.top_k",
               fmt::format("must be <= model.num_experts ({}) (got {})", model.num_experts,
                           model.gate.top_k),
               "");
  }
  const int64_t ple_task_gate_experts = model.ple.task_experts + model.ple.shared_experts;
  if (model.type == ModelType::kPle && model.gate.top_k > ple_task_gate_experts) {
    check.fail("model.gate.top_k",
               fmt::format("must be <= model.ple.task_experts + model.ple.shared_experts ({}) (got {})",
                           ple_task_gate_experts, model.gate.top_k),
               "a PLE task gate mixes its task's experts and the shared ones");
  }
  if (model.gate.noisy && model.gate.top_k < 1) {
    check.fail("model.gate.noisy",
               fmt::format("requires model.gate.top_k >= 1 (got top_k {})", model.gate.top_k),
               "noise only changes which k experts a top-k gate keeps; set top_k or noisy: false");
  }
  check.non_negative("model.gate.load_balance_weight", model.gate.load_balance_weight,
                     "0 disables the load-balancing loss");
  check.unit_half_open("model.gate.collapse_threshold", model.gate.collapse_threshold,
                       "0 means 1/(10 E) for a gate over E experts");
  check.at_least("model.shared_layer.dim", model.shared_layer.dim, 0,
                 "0 disables the shared layer");
  check.unit_half_open("model.shared_layer.dropout", model.shared_layer.dropout);
  check.widths("model.bottom_hidden", model.bottom_hidden);
  check.at_least("model.ple.levels", model.ple.levels, 1);
  check.at_least("model.ple.shared_experts", model.ple.shared_experts, 1);
  check.at_least("model.ple.task_experts", model.ple.task_experts, 1);
  check.at_least("model.param_budget", model.param_budget, 0, "0 disables it");
  const bool sized_by_budget =
      model.type == ModelType::kSharedBottom || model.type == ModelType::kSingleTask;
  if (model.param_budget > 0 && !sized_by_budget) {
    check.fail("model.param_budget",
               fmt::format("must be 0 for model.type {} (got {})", to_string(model.type),
                           model.param_budget),
               "only shared_bottom and single_task networks are sized to a budget");
  }
}

void validate_tasks(const std::map<std::string, TaskConfig>& tasks, const Bounds& check) {
  for (const auto& [name, task] : tasks) {
    const std::string path = "tasks." + name;
    check.non_negative(path + ".weight", task.weight, "0 ignores the task's loss");
    check.unit_half_open(path + ".label_smoothing", task.label_smoothing);
    check.label_weights(path + ".class_weights", task.class_weights);
    check.label_weights(path + ".pos_weight", task.pos_weight);
    check.positive(path + ".huber_delta", task.huber_delta,
                   "errors below it are squared, above it linear");
    check.unit_open(path + ".threshold", task.threshold,
                    "a label is predicted when sigmoid(logit) >= threshold; 0.5 is the default");
  }
}

void validate_optim(const OptimConfig& optim, const Bounds& check) {
  check.positive("optim.lr", optim.lr);
  check.non_negative("optim.weight_decay", optim.weight_decay);
  if (!(optim.beta1 >= 0.0 && optim.beta1 < 1.0 && optim.beta2 >= 0.0 && optim.beta2 < 1.0)) {
    check.fail("optim.betas",
               fmt::format("each must be in [0, 1) (got [{}, {}])", optim.beta1, optim.beta2),
               "the default is [0.9, 0.999]");
  }
  check.positive("optim.eps", optim.eps);
  check.non_negative("optim.max_grad_norm", optim.max_grad_norm, "0 disables clipping");
  for (const auto& [group, options] : optim.groups) {
    const std::string path = std::string("optim.groups.") + to_string(group);
    if (options.lr) check.positive(path + ".lr", *options.lr);
    if (options.weight_decay) check.non_negative(path + ".weight_decay", *options.weight_decay);
  }
}

void validate_scheduler(const SchedulerConfig& scheduler, const Bounds& check) {
  check.unit_open("scheduler.factor", scheduler.factor,
                  "the learning rate is multiplied by it on a plateau");
  check.at_least("scheduler.patience", scheduler.patience, 0);
  check.non_negative("scheduler.threshold", scheduler.threshold);
  check.at_least("scheduler.cooldown", scheduler.cooldown, 0);
  check.non_negative("scheduler.min_lr", scheduler.min_lr);
  check.non_negative("scheduler.eps", scheduler.eps);
  check.at_least("scheduler.warmup_steps", scheduler.warmup_steps, 0, "0 disables warmup");
  check.at_least("scheduler.warmup_epochs", scheduler.warmup_epochs, 0, "0 disables warmup");
  if (scheduler.warmup_steps > 0 && scheduler.warmup_epochs > 0) {
    check.fail("scheduler.warmup_epochs",
               fmt::format("cannot be set together with scheduler.warmup_steps (got {} and {})",
                           scheduler.warmup_epochs, scheduler.warmup_steps),
               "set one of them and leave the other 0");
  }
  if (!(scheduler.warmup_start_factor >= 0.0 && scheduler.warmup_start_factor <= 1.0)) {
    check.fail("scheduler.warmup_start_factor",
               fmt::format("must be in [0, 1] (got {})", scheduler.warmup_start_factor),
               "the first warmup step uses this fraction of the learning rate");
  }
}

void validate_train(const TrainConfig& train, const Bounds& check) {
  check.at_least("train.epochs", train.epochs, 1);
  check.at_least("train.batch_size", train.batch_size, 1, "it is the batch of one process");
  check.at_least("train.eval_batch_size", train.eval_batch_size, 1);
  check.at_least("train.num_threads", train.num_threads, 0, "0 uses all cores");
  check.at_least("train.log_every_steps", train.log_every_steps, 1);
  check.at_least("train.early_stopping_patience", train.early_stopping_patience, 0, "0 disables early stopping");
  check.non_negative("train.early_stopping_min_delta", train.early_stopping_min_delta,
                     "it is in the units of train.monitor");
  check.non_empty("train.checkpoint_dir", train.checkpoint_dir,
                  "give the directory checkpoints are written to, e.g. checkpoints");
}

void validate_distributed(const DistributedConfig& distributed, const Bounds& check) {
  check.positive("distributed.bucket_mb", distributed.bucket_mb);
  check.positive("distributed.timeout_s", distributed.timeout_s);
}

void validate_tracking(const TrackingConfig& tracking, const Bounds& check) {
  check.non_empty("tracking.store", tracking.store,
                  "give the path of the SQLite store, e.g. mmoe_runs.db");
  check.non_empty("tracking.experiment", tracking.experiment,
                  "name the experiment the run belongs to, e.g. default");
}

}  // namespace

void validate_config(const Config& config, const ConfigSources& sources) {
  const Bounds check(sources);
  validate_data(config.data, check);
  validate_model(config.model, check);
  validate_tasks(config.tasks, check);
  validate_optim(config.optim, check);
  validate_scheduler(config.scheduler, check);
  validate_train(config.train, check);
  validate_distributed(config.distributed, check);
  validate_tracking(config.tracking, check);
}

}  // namespace mmoe::experiments
