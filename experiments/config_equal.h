#pragma once
// Value equality of configs, field by field (doubles compared exactly): e.g. to check that a
// resumed run uses the config it started with, or that to_yaml round-trips.
#include "experiments/config.h"

namespace mmoe::experiments {

bool operator==(const DataConfig& a, const DataConfig& b);
bool operator==(const SharedLayerConfig& a, const SharedLayerConfig& b);
bool operator==(const GateConfig& a, const GateConfig& b);
bool operator==(const PleConfig& a, const PleConfig& b);
bool operator==(const ModelConfig& a, const ModelConfig& b);
bool operator==(const LabelWeights& a, const LabelWeights& b);
bool operator==(const TaskConfig& a, const TaskConfig& b);
bool operator==(const ParamGroupConfig& a, const ParamGroupConfig& b);
bool operator==(const OptimConfig& a, const OptimConfig& b);
bool operator==(const SchedulerConfig& a, const SchedulerConfig& b);
bool operator==(const TrainConfig& a, const TrainConfig& b);
bool operator==(const DistributedConfig& a, const DistributedConfig& b);
bool operator==(const TrackingConfig& a, const TrackingConfig& b);
bool operator==(const Config& a, const Config& b);
bool operator!=(const Config& a, const Config& b);

}  // namespace mmoe::experiments
