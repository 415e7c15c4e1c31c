// Field-by-field equality of configs (see config_equal.h).
#include "experiments/config_equal.h"

namespace mmoe::experiments {

bool operator==(const DataConfig& a, const DataConfig& b) {
  return a.dir == b.dir && a.train_split == b.train_split && a.val_split == b.val_split && a.cache == b.cache &&
         a.prefetch_batches == b.prefetch_batches && a.shuffle_window_chunks == b.shuffle_window_chunks &&
         a.chunk_rows == b.chunk_rows && a.nonfinite_features == b.nonfinite_features;
}

bool operator==(const SharedLayerConfig& a, const SharedLayerConfig& b) {
  return a.dim == b.dim && a.dropout == b.dropout;
}

bool operator==(const GateConfig& a, const GateConfig& b) {
  return a.temperature == b.temperature && a.top_k == b.top_k && a.noisy == b.noisy &&
         a.load_balance_weight == b.load_balance_weight &&
         a.collapse_threshold == b.collapse_threshold;
}

bool operator==(const PleConfig& a, const PleConfig& b) {
  return a.levels == b.levels && a.shared_experts == b.shared_experts &&
         a.task_experts == b.task_experts;
}

bool operator==(const ModelConfig& a, const ModelConfig& b) {
  return a.type == b.type && a.num_experts == b.num_experts &&
         a.expert_hidden == b.expert_hidden && a.activation == b.activation &&
         a.expert_dropout == b.expert_dropout && a.tower_hidden == b.tower_hidden &&
         a.tower_dropout == b.tower_dropout && a.gate == b.gate &&
         a.standardize_features == b.standardize_features && a.shared_layer == b.shared_layer &&
         a.bottom_hidden == b.bottom_hidden && a.ple == b.ple &&
         a.loss_weighting == b.loss_weighting && a.param_budget == b.param_budget;
}

bool operator==(const LabelWeights& a, const LabelWeights& b) {
  return a.mode == b.mode && a.values == b.values;
}

bool operator==(const TaskConfig& a, const TaskConfig& b) {
  return a.weight == b.weight && a.label_smoothing == b.label_smoothing &&
         a.class_weights == b.class_weights && a.pos_weight == b.pos_weight &&
         a.loss == b.loss && a.huber_delta == b.huber_delta &&
         a.standardize_target == b.standardize_target && a.threshold == b.threshold;
}

bool operator==(const ParamGroupConfig& a, const ParamGroupConfig& b) {
  return a.lr == b.lr && a.weight_decay == b.weight_decay;
}

bool operator==(const OptimConfig& a, const OptimConfig& b) {
  return a.lr == b.lr && a.weight_decay == b.weight_decay && a.beta1 == b.beta1 &&
         a.beta2 == b.beta2 && a.eps == b.eps && a.max_grad_norm == b.max_grad_norm &&
         a.groups == b.groups;
}

bool operator==(const SchedulerConfig& a, const SchedulerConfig& b) {
  return a.type == b.type && a.factor == b.factor && a.patience == b.patience &&
         a.threshold == b.threshold && a.threshold_mode == b.threshold_mode &&
         a.cooldown == b.cooldown && a.min_lr == b.min_lr && a.eps == b.eps &&
         a.warmup_steps == b.warmup_steps && a.warmup_epochs == b.warmup_epochs &&
         a.warmup_start_factor == b.warmup_start_factor;
}

bool operator==(const TrainConfig& a, const TrainConfig& b) {
  return a.epochs == b.epochs && a.batch_size == b.batch_size &&
         a.eval_batch_size == b.eval_batch_size && a.seed == b.seed && a.device == b.device &&
         a.num_threads == b.num_threads && a.monitor == b.monitor &&
         a.monitor_mode == b.monitor_mode && a.log_every_steps == b.log_every_steps &&
         a.early_stopping_patience == b.early_stopping_patience &&
         a.early_stopping_min_delta == b.early_stopping_min_delta && a.nonfinite_loss == b.nonfinite_loss &&
         a.progress == b.progress && a.amp == b.amp &&
         a.checkpoint_dir == b.checkpoint_dir;
}

bool operator==(const DistributedConfig& a, const DistributedConfig& b) {
  return a.backend == b.backend && a.bucket_mb == b.bucket_mb && a.timeout_s == b.timeout_s;
}

bool operator==(const TrackingConfig& a, const TrackingConfig& b) {
  return a.store == b.store && a.experiment == b.experiment && a.run_name == b.run_name &&
         a.tags == b.tags;
}

bool operator==(const Config& a, const Config& b) {
  return a.data == b.data && a.model == b.model && a.tasks == b.tasks && a.optim == b.optim &&
         a.scheduler == b.scheduler && a.train == b.train && a.distributed == b.distributed &&
         a.tracking == b.tracking;
}

bool operator!=(const Config& a, const Config& b) { return !(a == b); }

}  // namespace mmoe::experiments
