#pragma once
// Everything needed to build (and rebuild, on load) any of the multi-task architectures.
#include <cstdint>
#include <string>
#include <vector>

#include "models/activation.h"
#include "models/task_head_spec.h"

namespace mmoe::models {

enum class ModelType { kMmoe, kOmoe, kSharedBottom, kSingleTask, kPle };
enum class LossWeighting { kFixed, kUncertainty };

const char* to_string(ModelType type);  // "mmoe", "omoe", "shared_bottom", "single_task", "ple"

struct GateSpec {
  double temperature = 1.0;         // > 0
  int64_t top_k = 0;                // 0: dense softmax; else keep the k largest, renormalised
  bool noisy = false;               // noisy top-k gating (Shazeer et al. 2017), training only
  double load_balance_weight = 0.0; // weight of E * sum_e f_e * P_e (Switch Transformer); 0: off
};

// Progressive Layered Extraction (Tang et al. 2020): per level, task-specific and shared experts.
struct PleSpec {
  int64_t levels = 1;          // extraction levels (CGC layers), >= 1
  int64_t shared_experts = 2;  // >= 1
  int64_t task_experts = 1;    // per task, >= 1
};

struct ModelSpec {
  ModelType type = ModelType::kMmoe;
  int64_t input_dim = 0;
  std::vector<TaskHeadSpec> tasks;
  int64_t num_experts = 8;                          // mmoe, omoe
  std::vector<int64_t> expert_hidden = {256, 128};  // expert widths (mmoe, omoe, ple); last = output
  Activation activation = Activation::kRelu;
  double expert_dropout = 0.0;
  std::vector<int64_t> tower_hidden = {64};
  double tower_dropout = 0.0;
  GateSpec gate;
  bool standardize_features = false;
  int64_t shared_dim = 0;  // shared input layer width; 0: none
  double shared_dropout = 0.0;
  // shared_bottom: the shared network's widths; single_task: each task's network widths.
  // Empty: expert_hidden.
  std::vector<int64_t> bottom_hidden;
  PleSpec ple;
  LossWeighting loss_weighting = LossWeighting::kFixed;
};

}  // namespace mmoe::models
