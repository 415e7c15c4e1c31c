#pragma once
// Typed training configuration: one struct per YAML section, every field with its default.
// Parsed and validated in experiments/config_loader.cpp; past the parser, choices are enums.
// docs/config.md documents every key; examples/quickstart.yaml shows a commented config.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mmoe::experiments {

enum class ModelType { kMmoe };
enum class Activation { kRelu, kGelu, kSilu, kTanh };
enum class Device { kAuto, kCpu, kCuda };
enum class SchedulerType { kNone, kReduceOnPlateau };
enum class ThresholdMode { kRel, kAbs };
enum class Monitor { kValWeightedF1, kValLoss };  // val_weighted_f1 (max) or val_loss (min)
enum class DistributedBackend { kAuto, kLocal, kMpi, kNccl };
enum class ParamGroup { kShared, kExperts, kGates, kTowers };

// data: where the feature shards are.
struct DataConfig {
  std::string dir;                    // required; directory holding dataset.yaml
  std::string train_split = "train";  // split names from dataset.yaml
  std::string val_split = "val";
};

// model.shared_layer: optional Linear -> BatchNorm -> ReLU -> Dropout before the experts.
struct SharedLayerConfig {
  int64_t dim = 0;       // 0 disables the shared layer; otherwise >= 1
  double dropout = 0.0;  // [0, 1)
};

// model: the multi-task network.
struct ModelConfig {
  ModelType type = ModelType::kMmoe;
  int64_t num_experts = 8;                          // >= 1
  std::vector<int64_t> expert_hidden = {256, 128};  // each >= 1, at least one; last = expert output
  Activation activation = Activation::kRelu;        // experts and towers
  double expert_dropout = 0.0;                      // [0, 1)
  std::vector<int64_t> tower_hidden = {64};         // each >= 1; may be empty (linear head)
  double gate_temperature = 1.0;                    // > 0
  SharedLayerConfig shared_layer;
};

// tasks.<name>: per-task options; tasks named here must exist in the dataset.
struct TaskConfig {
  double weight = 1.0;           // >= 0, weight of this task's loss in the total
  double label_smoothing = 0.0;  // [0, 1), multiclass tasks only
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
};

// train: the loop.
struct TrainConfig {
  int64_t epochs = 10;            // >= 1
  int64_t batch_size = 256;       // >= 1, per process
  int64_t eval_batch_size = 1024; // >= 1
  uint64_t seed = 0;
  Device device = Device::kAuto;  // auto | cpu | cuda
  int64_t num_threads = 0;        // >= 0; 0 = all cores
  Monitor monitor = Monitor::kValWeightedF1;
  int64_t log_every_steps = 50;   // >= 1
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

// Names as written in YAML (e.g. "mmoe", "relu", "val_weighted_f1", "experts").
const char* to_string(ModelType value);
const char* to_string(Activation value);
const char* to_string(Device value);
const char* to_string(SchedulerType value);
const char* to_string(ThresholdMode value);
const char* to_string(Monitor value);
const char* to_string(DistributedBackend value);
const char* to_string(ParamGroup value);

}  // namespace mmoe::experiments
