// One parse function per config section; keys listed in struct order (see config.h).
#include "experiments/config_parse.h"

#include "experiments/yaml_reader.h"

namespace mmoe::experiments {

namespace {

DataConfig parse_data(const MapReader& section) {
  DataConfig data;
  section.read("dir", &data.dir);
  section.read("train_split", &data.train_split);
  section.read("val_split", &data.val_split);
  section.read_enum("cache", &data.cache);
  section.read("prefetch_batches", &data.prefetch_batches);
  section.read("shuffle_window_chunks", &data.shuffle_window_chunks);
  section.read("chunk_rows", &data.chunk_rows);
  section.read_enum("nonfinite_features", &data.nonfinite_features);
  return data;
}

ModelConfig parse_model(const MapReader& section) {
  ModelConfig model;
  section.read_enum("type", &model.type);
  section.read("num_experts", &model.num_experts);
  section.read("expert_hidden", &model.expert_hidden);
  section.read_enum("activation", &model.activation);
  section.read("expert_dropout", &model.expert_dropout);
  section.read("tower_hidden", &model.tower_hidden);
  section.read("tower_dropout", &model.tower_dropout);
  const MapReader gate = section.child(
      "gate", {"temperature", "top_k", "noisy", "load_balance_weight", "collapse_threshold"});
  gate.read("temperature", &model.gate.temperature);
  gate.read("top_k", &model.gate.top_k);
  gate.read("noisy", &model.gate.noisy);
  gate.read("load_balance_weight", &model.gate.load_balance_weight);
  gate.read("collapse_threshold", &model.gate.collapse_threshold);
  section.read("standardize_features", &model.standardize_features);
  const MapReader shared = section.child("shared_layer", {"dim", "dropout"});
  shared.read("dim", &model.shared_layer.dim);
  shared.read("dropout", &model.shared_layer.dropout);
  section.read("bottom_hidden", &model.bottom_hidden);
  const MapReader ple = section.child("ple", {"levels", "shared_experts", "task_experts"});
  ple.read("levels", &model.ple.levels);
  ple.read("shared_experts", &model.ple.shared_experts);
  ple.read("task_experts", &model.ple.task_experts);
  section.read_enum("loss_weighting", &model.loss_weighting);
  section.read("param_budget", &model.param_budget);
  return model;
}

std::map<std::string, TaskConfig> parse_tasks(const YAML::Node& node,
                                              const ConfigSources& sources) {
  std::map<std::string, TaskConfig> tasks;
  for (const auto& [name, options] : read_named_entries(node, "tasks", "task names", sources)) {
    const MapReader task(options, "tasks." + name,
                         {"weight", "label_smoothing", "class_weights", "pos_weight", "loss",
                          "huber_delta", "standardize_target", "threshold"},
                         sources);
    TaskConfig config;
    task.read("weight", &config.weight);
    task.read("label_smoothing", &config.label_smoothing);
    task.read("class_weights", &config.class_weights);
    task.read("pos_weight", &config.pos_weight);
    task.read_enum("loss", &config.loss);
    task.read("huber_delta", &config.huber_delta);
    task.read("standardize_target", &config.standardize_target);
    task.read("threshold", &config.threshold);
    tasks.emplace(name, config);
  }
  return tasks;
}

OptimConfig parse_optim(const MapReader& section) {
  OptimConfig optim;
  section.read("lr", &optim.lr);
  section.read("weight_decay", &optim.weight_decay);
  section.read_pair("betas", &optim.beta1, &optim.beta2);
  section.read("eps", &optim.eps);
  section.read("max_grad_norm", &optim.max_grad_norm);
  const MapReader groups = section.child("groups", enum_names<ParamGroup>());
  for (ParamGroup group : all_values<ParamGroup>()) {
    const std::string name = to_string(group);
    if (!groups.has(name)) continue;
    const MapReader options = groups.child(name, {"lr", "weight_decay"});
    ParamGroupConfig config;
    options.read("lr", &config.lr);
    options.read("weight_decay", &config.weight_decay);
    optim.groups.emplace(group, config);
  }
  return optim;
}

SchedulerConfig parse_scheduler(const MapReader& section) {
  SchedulerConfig scheduler;
  section.read_enum("type", &scheduler.type);
  section.read("factor", &scheduler.factor);
  section.read("patience", &scheduler.patience);
  section.read("threshold", &scheduler.threshold);
  section.read_enum("threshold_mode", &scheduler.threshold_mode);
  section.read("cooldown", &scheduler.cooldown);
  section.read("min_lr", &scheduler.min_lr);
  section.read("eps", &scheduler.eps);
  section.read("warmup_steps", &scheduler.warmup_steps);
  section.read("warmup_epochs", &scheduler.warmup_epochs);
  section.read("warmup_start_factor", &scheduler.warmup_start_factor);
  return scheduler;
}

TrainConfig parse_train(const MapReader& section) {
  TrainConfig train;
  section.read("epochs", &train.epochs);
  section.read("batch_size", &train.batch_size);
  section.read("eval_batch_size", &train.eval_batch_size);
  section.read("seed", &train.seed);
  section.read_enum("device", &train.device);
  section.read("num_threads", &train.num_threads);
  section.read("monitor", &train.monitor);
  section.read_enum("monitor_mode", &train.monitor_mode);
  section.read("log_every_steps", &train.log_every_steps);
  section.read("early_stopping_patience", &train.early_stopping_patience);
  section.read("early_stopping_min_delta", &train.early_stopping_min_delta);
  section.read_enum("nonfinite_loss", &train.nonfinite_loss);
  section.read_enum("progress", &train.progress);
  section.read_enum("amp", &train.amp);
  section.read("checkpoint_dir", &train.checkpoint_dir);
  return train;
}

DistributedConfig parse_distributed(const MapReader& section) {
  DistributedConfig distributed;
  section.read_enum("backend", &distributed.backend);
  section.read("bucket_mb", &distributed.bucket_mb);
  section.read("timeout_s", &distributed.timeout_s);
  return distributed;
}

TrackingConfig parse_tracking(const MapReader& section, const ConfigSources& sources) {
  TrackingConfig tracking;
  section.read("store", &tracking.store);
  section.read("experiment", &tracking.experiment);
  section.read("run_name", &tracking.run_name);
  const std::string tags_path = section.path_of("tags");
  for (const auto& [key, value] :
       read_named_entries(section.value("tags"), tags_path, "tag names", sources)) {
    tracking.tags[key] = read_string(value, join_path(tags_path, key), sources);
  }
  return tracking;
}

}  // namespace

Config parse_config(const YAML::Node& root, const ConfigSources& sources) {
  const MapReader document(root, "",
                           {"data", "model", "tasks", "optim", "scheduler", "train",
                            "distributed", "tracking"},
                           sources);
  Config config;
  config.data = parse_data(document.child("data", {"dir", "train_split", "val_split", "cache", "prefetch_batches",
                                                             "shuffle_window_chunks", "chunk_rows",
                                                             "nonfinite_features"}));
  config.model = parse_model(document.child(
      "model",
      {"type", "num_experts", "expert_hidden", "activation", "expert_dropout", "tower_hidden",
       "tower_dropout", "gate", "standardize_features", "shared_layer", "bottom_hidden", "ple",
       "loss_weighting", "param_budget"},
      {{"gate_temperature", "model.gate.temperature"}}));
  config.tasks = parse_tasks(document.value("tasks"), sources);
  config.optim = parse_optim(document.child(
      "optim", {"lr", "weight_decay", "betas", "eps", "max_grad_norm", "groups"}));
  config.scheduler = parse_scheduler(document.child(
      "scheduler", {"type", "factor", "patience", "threshold", "threshold_mode", "cooldown",
                    "min_lr", "eps", "warmup_steps", "warmup_epochs", "warmup_start_factor"}));
  config.train = parse_train(document.child(
      "train", {"epochs", "batch_size", "eval_batch_size", "seed", "device", "num_threads",
                "monitor", "monitor_mode", "log_every_steps", "early_stopping_patience",
                "early_stopping_min_delta", "nonfinite_loss", "progress", "amp", "checkpoint_dir"}));
  config.distributed =
      parse_distributed(document.child("distributed", {"backend", "bucket_mb", "timeout_s"}));
  config.tracking = parse_tracking(
      document.child("tracking", {"store", "experiment", "run_name", "tags"}), sources);
  return config;
}

}  // namespace mmoe::experiments
