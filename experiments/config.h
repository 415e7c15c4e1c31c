#pragma once
// Typed training configuration: one struct per YAML section, every field with its default.
// Parsed and validated in experiments/config_loader.cpp; past the parser, choices are enums.
// docs/config.md documents every key; examples/quickstart.yaml shows a commented config.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "experiments/monitor_spec.h"

namespace mmoe::experiments {

enum class ModelType { kMmoe, kOmoe, kSharedBottom, kSingleTask, kPle };
enum class Activation { kRelu, kGelu, kSilu, kTanh };
enum class LossWeighting { kFixed, kUncertainty };  // fixed task weights or learned (Kendall)
enum class RegressionLossType { kMse, kHuber };
enum class Device { kAuto, kCpu, kCuda };
enum class SchedulerType { kNone, kReduceOnPlateau };
enum class ThresholdMode { kRel, kAbs };
enum class DistributedBackend { kAuto, kLocal, kMpi, kNccl };
enum class ParamGroup { kShared, kExperts, kGates, kTowers };
enum class DataCache { kNone, kHost, kDevice };  // where a split is held while training
enum class NonFiniteFeatures { kError, kSkip };   // a feature row holding NaN or Inf
// The training loop (trainer/, docs/training.md).
enum class NonFiniteLoss { kError, kSkip };        // a step whose loss is NaN or Inf
enum class ProgressMode { kAuto, kBar, kLines, kNone };  // console progress of mmoe train
enum class AmpMode { kNone, kBf16 };               // mixed precision of forward and loss

// data: where the feature shards are.
struct DataConfig {
  std::string dir;                    // required; directory holding dataset.yaml
  std::string train_split = "train";  // split names from dataset.yaml
  std::string val_split = "val";
  // none: stream from the shards (prefetching loader); host: whole splits in host memory;
  // device: whole splits on the training device (host on CPU).
  DataCache cache = DataCache::kHost;
  int64_t prefetch_batches = 4;       // >= 1; cache none: batches read ahead
  int64_t shuffle_window_chunks = 8;  // >= 1; cache none: rows shuffle within this many chunks
  int64_t chunk_rows = 4096;          // >= 1; cache none: rows per read
  // error: a row with NaN or Inf features stops training naming shard and row; skip: such rows
  // are left out and counted (cache host or device only).
  NonFiniteFeatures nonfinite_features = NonFiniteFeatures::kError;
};

// model.shared_layer: optional Linear -> BatchNorm -> ReLU -> Dropout before the experts.
struct SharedLayerConfig {
  int64_t dim = 0;       // 0 disables the shared layer; otherwise >= 1
  double dropout = 0.0;  // [0, 1)
};

// model.gate: the softmax gates that mix the experts (mmoe, omoe, ple).
struct GateConfig {
  double temperature = 1.0;          // > 0; below 1 is sharper
  int64_t top_k = 0;                 // >= 0; 0: dense softmax; else the k largest, renormalised
  bool noisy = false;                // noisy top-k gating while training; needs top_k >= 1
  double load_balance_weight = 0.0;  // >= 0; weight of the load-balancing loss; 0: off
  double collapse_threshold = 0.0;   // [0, 1); utilization below it counts as collapsed;
                                     // 0: 1 / (10 * experts of the gate)
};

// model.ple: Progressive Layered Extraction (model.type ple).
struct PleConfig {
  int64_t levels = 1;          // >= 1, extraction levels
  int64_t shared_experts = 2;  // >= 1, shared experts per level
  int64_t task_experts = 1;    // >= 1, experts per task and level
};

// model: the multi-task network.
struct ModelConfig {
  ModelType type = ModelType::kMmoe;
  int64_t num_experts = 8;                          // >= 1 (mmoe, omoe)
  std::vector<int64_t> expert_hidden = {256, 128};  // each >= 1, at least one; last = expert output
  Activation activation = Activation::kRelu;        // experts and towers
  double expert_dropout = 0.0;                      // [0, 1)
  std::vector<int64_t> tower_hidden = {64};         // each >= 1; may be empty (linear head)
  double tower_dropout = 0.0;                       // [0, 1)
  GateConfig gate;
  bool standardize_features = false;                // (x - mean) / std of the training split
  SharedLayerConfig shared_layer;
  std::vector<int64_t> bottom_hidden;               // each >= 1; empty: expert_hidden
                                                    // (shared_bottom, single_task networks)
  PleConfig ple;
  LossWeighting loss_weighting = LossWeighting::kFixed;
  int64_t param_budget = 0;  // >= 0; 0: off; shared_bottom and single_task only
};

// tasks.<name>.class_weights / pos_weight. YAML: none | balanced | [w0, w1, ...].
// Whether the values fit the task (its type, its number of classes) is checked by the trainer.
struct LabelWeights {
  enum class Mode { kNone, kBalanced, kExplicit };
  Mode mode = Mode::kNone;     // kNone: unweighted; kBalanced: from the training split's counts
  std::vector<double> values;  // kExplicit only: at least one, each > 0
};

// tasks.<name>: per-task options; tasks named here must exist in the dataset.
struct TaskConfig {
  double weight = 1.0;                                 // >= 0, weight of this task's loss
  double label_smoothing = 0.0;                        // [0, 1), multiclass tasks only
  LabelWeights class_weights;                          // multiclass only: per-class weights
  LabelWeights pos_weight;                             // multilabel only: BCE pos_weight per label
  RegressionLossType loss = RegressionLossType::kMse;  // regression only
  double huber_delta = 1.0;                            // > 0, for loss huber
  bool standardize_target = false;  // regression only: the loss sees standardised targets
  double threshold = 0.5;           // (0, 1), multilabel only: sigmoid(logit) >= it predicts a label
};

// optim.groups.<group>: overrides of lr / weight_decay for one parameter group.
struct ParamGroupConfig {
  std::optional<double> lr;            // > 0
  std::optional<double> weight_decay;  // >= 0
};

// optim: AdamW.
struct OptimConfig {
  double lr = 1e-3;            // > 0
  double weight_decay = 1e-2;  // >= 0; never applied to biases and norm parameters
  double beta1 = 0.9;          // YAML: betas: [beta1, beta2], each in [0, 1)
  double beta2 = 0.999;
  double eps = 1e-8;           // > 0
  double max_grad_norm = 0.0;  // >= 0; 0 disables gradient clipping
  std::map<ParamGroup, ParamGroupConfig> groups;  // YAML keys: shared, experts, gates, towers
};

// scheduler: ReduceLROnPlateau (PyTorch semantics) on train.monitor; mode follows the monitor.
struct SchedulerConfig {
  SchedulerType type = SchedulerType::kReduceOnPlateau;  // YAML: none | plateau
  double factor = 0.1;                                   // (0, 1)
  int64_t patience = 10;                                 // >= 0
  double threshold = 1e-4;                               // >= 0
  ThresholdMode threshold_mode = ThresholdMode::kRel;    // rel | abs
  int64_t cooldown = 0;                                  // >= 0
  double min_lr = 0.0;                                   // >= 0
  double eps = 1e-8;                                     // >= 0
  // Linear warmup (trainer/lr_warmup.h): at most one of warmup_steps / warmup_epochs > 0.
  int64_t warmup_steps = 0;          // >= 0; optimizer steps of warmup
  int64_t warmup_epochs = 0;         // >= 0; epochs of warmup (times the steps per epoch)
  double warmup_start_factor = 0.0;  // [0, 1]; the first step's lr is this times the lr
};

// train: the loop.
struct TrainConfig {
  int64_t epochs = 10;            // >= 1
  int64_t batch_size = 256;       // >= 1, per process
  int64_t eval_batch_size = 1024; // >= 1
  uint64_t seed = 0;
  Device device = Device::kAuto;  // auto | cpu | cuda
  int64_t num_threads = 0;        // >= 0; 0 = all cores
  MonitorSpec monitor;                        // val_weighted_f1 (see experiments/monitor_spec.h)
  MonitorMode monitor_mode = MonitorMode::kAuto;  // auto: min for loss, mae, rmse; max otherwise
  int64_t log_every_steps = 50;   // >= 1
  // The loop's policies (docs/training.md).
  int64_t early_stopping_patience = 0;    // >= 0; 0: off
  double early_stopping_min_delta = 0.0;  // >= 0, in the monitor's units
  NonFiniteLoss nonfinite_loss = NonFiniteLoss::kError;
  ProgressMode progress = ProgressMode::kAuto;
  AmpMode amp = AmpMode::kNone;
  // Checkpoints ('last' and 'best') go to <checkpoint_dir>/<run id>/ (docs/checkpoints.md); a
  // relative path is relative to the working directory of `mmoe train`, as tracking.store.
  std::string checkpoint_dir = "checkpoints";  // non-empty
};

// distributed: data-parallel settings.
struct DistributedConfig {
  DistributedBackend backend = DistributedBackend::kAuto;  // auto | local | mpi | nccl
  double bucket_mb = 25.0;                                 // > 0
  double timeout_s = 300.0;                                // > 0
};

// tracking: the SQLite experiment store.
struct TrackingConfig {
  std::string store = "mmoe_runs.db";  // non-empty path
  std::string experiment = "default";  // non-empty
  std::string run_name;                // empty: the store names the run
  std::map<std::string, std::string> tags;
};

struct Config {
  DataConfig data;
  ModelConfig model;
  std::map<std::string, TaskConfig> tasks;  // empty: every task of the dataset, defaults
  OptimConfig optim;
  SchedulerConfig scheduler;
  TrainConfig train;
  DistributedConfig distributed;
  TrackingConfig tracking;
};

// Names as written in YAML (e.g. "mmoe", "relu", "auto", "experts").
const char* to_string(ModelType value);
const char* to_string(Activation value);
const char* to_string(LossWeighting value);
const char* to_string(RegressionLossType value);
const char* to_string(Device value);
const char* to_string(SchedulerType value);
const char* to_string(ThresholdMode value);
const char* to_string(MonitorMode value);
const char* to_string(DistributedBackend value);
const char* to_string(ParamGroup value);
const char* to_string(DataCache value);
const char* to_string(NonFiniteFeatures value);
const char* to_string(NonFiniteLoss value);
const char* to_string(ProgressMode value);
const char* to_string(AmpMode value);

}  // namespace mmoe::experiments
