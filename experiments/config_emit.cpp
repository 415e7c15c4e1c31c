// to_yaml: the resolved config, every key in struct order, one stable text per Config.
#include "experiments/config_emit.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "experiments/config_loader.h"

namespace mmoe::experiments {

std::string format_number(double value) { return fmt::format("{}", value); }

namespace {

bool is_plain_safe(std::string_view value) {
  if (value.empty()) return false;
  const auto is_start = [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '/' || c == '.';
  };
  const auto is_rest = [&](char c) {
    return is_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  };
  if (!is_start(value.front()) || !std::all_of(value.begin() + 1, value.end(), is_rest)) {
    return false;
  }
  // Words that YAML 1.1 / 1.2 readers turn into null, booleans or special floats.
  static const std::array<const char*, 14> kSpecial = {
      "null", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", ".nan", "~",
      "nan", "inf"};
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return std::none_of(kSpecial.begin(), kSpecial.end(),
                      [&](const char* word) { return lower == word; });
}

std::string int_list(const std::vector<int64_t>& values) {
  return fmt::format("[{}]", fmt::join(values, ", "));
}

// none, balanced, or the explicit list in shortest round-trip form: [1, 2.5].
std::string label_weights_text(const LabelWeights& weights) {
  switch (weights.mode) {
    case LabelWeights::Mode::kNone: return "none";
    case LabelWeights::Mode::kBalanced: return "balanced";
    case LabelWeights::Mode::kExplicit: break;
  }
  std::vector<std::string> texts;
  for (double value : weights.values) texts.push_back(format_number(value));
  return fmt::format("[{}]", fmt::join(texts, ", "));
}

const char* bool_text(bool value) { return value ? "true" : "false"; }

// Writes "key: value" lines at two spaces per level.
class YamlWriter {
 public:
  void scalar(int depth, std::string_view key, std::string_view text) {
    indent(depth);
    out_ << yaml_string(key) << ": " << text << '\n';
  }
  void number(int depth, std::string_view key, double value) {
    scalar(depth, key, format_number(value));
  }
  void integer(int depth, std::string_view key, int64_t value) {
    scalar(depth, key, std::to_string(value));
  }
  void string(int depth, std::string_view key, std::string_view value) {
    scalar(depth, key, yaml_string(value));
  }
  void open(int depth, std::string_view key, bool empty) {
    indent(depth);
    out_ << yaml_string(key) << (empty ? ": {}\n" : ":\n");
  }
  std::string text() const { return out_.str(); }

 private:
  void indent(int depth) { out_ << std::string(static_cast<std::size_t>(depth) * 2, ' '); }
  std::ostringstream out_;
};

void emit_model(const ModelConfig& model, YamlWriter& w) {
  w.open(0, "model", false);
  w.scalar(1, "type", to_string(model.type));
  w.integer(1, "num_experts", model.num_experts);
  w.scalar(1, "expert_hidden", int_list(model.expert_hidden));
  w.scalar(1, "activation", to_string(model.activation));
  w.number(1, "expert_dropout", model.expert_dropout);
  w.scalar(1, "tower_hidden", int_list(model.tower_hidden));
  w.number(1, "tower_dropout", model.tower_dropout);
  w.open(1, "gate", false);
  w.number(2, "temperature", model.gate.temperature);
  w.integer(2, "top_k", model.gate.top_k);
  w.scalar(2, "noisy", bool_text(model.gate.noisy));
  w.number(2, "load_balance_weight", model.gate.load_balance_weight);
  w.number(2, "collapse_threshold", model.gate.collapse_threshold);
  w.scalar(1, "standardize_features", bool_text(model.standardize_features));
  w.open(1, "shared_layer", false);
  w.integer(2, "dim", model.shared_layer.dim);
  w.number(2, "dropout", model.shared_layer.dropout);
  w.scalar(1, "bottom_hidden", int_list(model.bottom_hidden));
  w.open(1, "ple", false);
  w.integer(2, "levels", model.ple.levels);
  w.integer(2, "shared_experts", model.ple.shared_experts);
  w.integer(2, "task_experts", model.ple.task_experts);
  w.scalar(1, "loss_weighting", to_string(model.loss_weighting));
  w.integer(1, "param_budget", model.param_budget);
}

void emit_tasks(const std::map<std::string, TaskConfig>& tasks, YamlWriter& w) {
  w.open(0, "tasks", tasks.empty());
  for (const auto& [name, task] : tasks) {
    w.open(1, name, false);
    w.number(2, "weight", task.weight);
    w.number(2, "label_smoothing", task.label_smoothing);
    w.scalar(2, "class_weights", label_weights_text(task.class_weights));
    w.scalar(2, "pos_weight", label_weights_text(task.pos_weight));
    w.scalar(2, "loss", to_string(task.loss));
    w.number(2, "huber_delta", task.huber_delta);
    w.scalar(2, "standardize_target", bool_text(task.standardize_target));
    w.number(2, "threshold", task.threshold);
  }
}

void emit_optim(const OptimConfig& optim, YamlWriter& w) {
  w.open(0, "optim", false);
  w.number(1, "lr", optim.lr);
  w.number(1, "weight_decay", optim.weight_decay);
  w.scalar(1, "betas",
           fmt::format("[{}, {}]", format_number(optim.beta1), format_number(optim.beta2)));
  w.number(1, "eps", optim.eps);
  w.number(1, "max_grad_norm", optim.max_grad_norm);
  w.open(1, "groups", optim.groups.empty());
  for (const auto& [group, options] : optim.groups) {
    w.open(2, to_string(group), !options.lr && !options.weight_decay);
    if (options.lr) w.number(3, "lr", *options.lr);
    if (options.weight_decay) w.number(3, "weight_decay", *options.weight_decay);
  }
}

void emit_scheduler(const SchedulerConfig& scheduler, YamlWriter& w) {
  w.open(0, "scheduler", false);
  w.scalar(1, "type", to_string(scheduler.type));
  w.number(1, "factor", scheduler.factor);
  w.integer(1, "patience", scheduler.patience);
  w.number(1, "threshold", scheduler.threshold);
  w.scalar(1, "threshold_mode", to_string(scheduler.threshold_mode));
  w.integer(1, "cooldown", scheduler.cooldown);
  w.number(1, "min_lr", scheduler.min_lr);
  w.number(1, "eps", scheduler.eps);
  w.integer(1, "warmup_steps", scheduler.warmup_steps);
  w.integer(1, "warmup_epochs", scheduler.warmup_epochs);
  w.number(1, "warmup_start_factor", scheduler.warmup_start_factor);
}

void emit_train(const TrainConfig& train, YamlWriter& w) {
  w.open(0, "train", false);
  w.integer(1, "epochs", train.epochs);
  w.integer(1, "batch_size", train.batch_size);
  w.integer(1, "eval_batch_size", train.eval_batch_size);
  w.scalar(1, "seed", std::to_string(train.seed));
  w.scalar(1, "device", to_string(train.device));
  w.integer(1, "num_threads", train.num_threads);
  w.string(1, "monitor", to_string(train.monitor));
  w.scalar(1, "monitor_mode", to_string(train.monitor_mode));
  w.integer(1, "log_every_steps", train.log_every_steps);
  w.integer(1, "early_stopping_patience", train.early_stopping_patience);
  w.number(1, "early_stopping_min_delta", train.early_stopping_min_delta);
  w.scalar(1, "nonfinite_loss", to_string(train.nonfinite_loss));
  w.scalar(1, "progress", to_string(train.progress));
  w.scalar(1, "amp", to_string(train.amp));
  w.string(1, "checkpoint_dir", train.checkpoint_dir);
}

}  // namespace

std::string yaml_string(std::string_view value) {
  if (is_plain_safe(value)) return std::string(value);
  std::string quoted = "\"";
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (c == '\n') {
      quoted += "\\n";
    } else if (c == '\t') {
      quoted += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      quoted += fmt::format("\\x{:02x}", byte);
    } else {
      quoted += c;  // printable ASCII and UTF-8 bytes pass through
    }
  }
  return quoted + "\"";
}

std::string to_yaml(const Config& config) {
  YamlWriter w;
  w.open(0, "data", false);
  w.string(1, "dir", config.data.dir);
  w.string(1, "train_split", config.data.train_split);
  w.string(1, "val_split", config.data.val_split);
  w.scalar(1, "cache", to_string(config.data.cache));
  w.integer(1, "prefetch_batches", config.data.prefetch_batches);
  w.integer(1, "shuffle_window_chunks", config.data.shuffle_window_chunks);
  w.integer(1, "chunk_rows", config.data.chunk_rows);
  w.scalar(1, "nonfinite_features", to_string(config.data.nonfinite_features));
  emit_model(config.model, w);
  emit_tasks(config.tasks, w);
  emit_optim(config.optim, w);
  emit_scheduler(config.scheduler, w);
  emit_train(config.train, w);
  w.open(0, "distributed", false);
  w.scalar(1, "backend", to_string(config.distributed.backend));
  w.number(1, "bucket_mb", config.distributed.bucket_mb);
  w.number(1, "timeout_s", config.distributed.timeout_s);
  w.open(0, "tracking", false);
  w.string(1, "store", config.tracking.store);
  w.string(1, "experiment", config.tracking.experiment);
  w.string(1, "run_name", config.tracking.run_name);
  w.open(1, "tags", config.tracking.tags.empty());
  for (const auto& [key, value] : config.tracking.tags) w.string(2, key, value);
  return w.text();
}

}  // namespace mmoe::experiments
