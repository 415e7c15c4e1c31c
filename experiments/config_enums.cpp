// YAML spellings of the config enums (see config.h and docs/config.md).
#include "experiments/config_enums.h"

#include "core/error.h"

namespace mmoe::experiments {

namespace {
// A value outside the enum (e.g. a cast from a corrupt integer): a bug, not a user mistake.
[[noreturn]] void bad_enum(const char* type, int value) {
  throw_internal_error("valid enum value", __FILE__, __LINE__,
                       std::string(type) + " has no value " + std::to_string(value));
}
}  // namespace

const char* to_string(ModelType value) {
  switch (value) {
    case ModelType::kMmoe: return "mmoe";
    case ModelType::kOmoe: return "omoe";
    case ModelType::kSharedBottom: return "shared_bottom";
    case ModelType::kSingleTask: return "single_task";
    case ModelType::kPle: return "ple";
  }
  bad_enum("ModelType", static_cast<int>(value));
}

const char* to_string(Activation value) {
  switch (value) {
    case Activation::kRelu: return "relu";
    case Activation::kGelu: return "gelu";
    case Activation::kSilu: return "silu";
    case Activation::kTanh: return "tanh";
  }
  bad_enum("Activation", static_cast<int>(value));
}

const char* to_string(LossWeighting value) {
  switch (value) {
    case LossWeighting::kFixed: return "fixed";
    case LossWeighting::kUncertainty: return "uncertainty";
  }
  bad_enum("LossWeighting", static_cast<int>(value));
}

const char* to_string(RegressionLossType value) {
  switch (value) {
    case RegressionLossType::kMse: return "mse";
    case RegressionLossType::kHuber: return "huber";
  }
  bad_enum("RegressionLossType", static_cast<int>(value));
}

const char* to_string(Device value) {
  switch (value) {
    case Device::kAuto: return "auto";
    case Device::kCpu: return "cpu";
    case Device::kCuda: return "cuda";
  }
  bad_enum("Device", static_cast<int>(value));
}

const char* to_string(SchedulerType value) {
  switch (value) {
    case SchedulerType::kNone: return "none";
    case SchedulerType::kReduceOnPlateau: return "plateau";
  }
  bad_enum("SchedulerType", static_cast<int>(value));
}

const char* to_string(ThresholdMode value) {
  switch (value) {
    case ThresholdMode::kRel: return "rel";
    case ThresholdMode::kAbs: return "abs";
  }
  bad_enum("ThresholdMode", static_cast<int>(value));
}

const char* to_string(MonitorMode value) {
  switch (value) {
    case MonitorMode::kAuto: return "auto";
    case MonitorMode::kMin: return "min";
    case MonitorMode::kMax: return "max";
  }
  bad_enum("MonitorMode", static_cast<int>(value));
}

const char* to_string(DistributedBackend value) {
  switch (value) {
    case DistributedBackend::kAuto: return "auto";
    case DistributedBackend::kLocal: return "local";
    case DistributedBackend::kMpi: return "mpi";
    case DistributedBackend::kNccl: return "nccl";
  }
  bad_enum("DistributedBackend", static_cast<int>(value));
}

const char* to_string(ParamGroup value) {
  switch (value) {
    case ParamGroup::kShared: return "shared";
    case ParamGroup::kExperts: return "experts";
    case ParamGroup::kGates: return "gates";
    case ParamGroup::kTowers: return "towers";
  }
  bad_enum("ParamGroup", static_cast<int>(value));
}

const char* to_string(DataCache value) {
  switch (value) {
    case DataCache::kNone: return "none";
    case DataCache::kHost: return "host";
    case DataCache::kDevice: return "device";
  }
  bad_enum("DataCache", static_cast<int>(value));
}

const char* to_string(NonFiniteFeatures value) {
  switch (value) {
    case NonFiniteFeatures::kError: return "error";
    case NonFiniteFeatures::kSkip: return "skip";
  }
  bad_enum("NonFiniteFeatures", static_cast<int>(value));
}

const char* to_string(NonFiniteLoss value) {
  switch (value) {
    case NonFiniteLoss::kError: return "error";
    case NonFiniteLoss::kSkip: return "skip";
  }
  bad_enum("NonFiniteLoss", static_cast<int>(value));
}

const char* to_string(ProgressMode value) {
  switch (value) {
    case ProgressMode::kAuto: return "auto";
    case ProgressMode::kBar: return "bar";
    case ProgressMode::kLines: return "lines";
    case ProgressMode::kNone: return "none";
  }
  bad_enum("ProgressMode", static_cast<int>(value));
}

const char* to_string(AmpMode value) {
  switch (value) {
    case AmpMode::kNone: return "none";
    case AmpMode::kBf16: return "bf16";
  }
  bad_enum("AmpMode", static_cast<int>(value));
}

template <>
const std::vector<ModelType>& all_values<ModelType>() {
  static const std::vector<ModelType> values = {ModelType::kMmoe, ModelType::kOmoe,
                                                ModelType::kSharedBottom, ModelType::kSingleTask,
                                                ModelType::kPle};
  return values;
}

template <>
const std::vector<Activation>& all_values<Activation>() {
  static const std::vector<Activation> values = {Activation::kRelu, Activation::kGelu,
                                                 Activation::kSilu, Activation::kTanh};
  return values;
}

template <>
const std::vector<LossWeighting>& all_values<LossWeighting>() {
  static const std::vector<LossWeighting> values = {LossWeighting::kFixed,
                                                    LossWeighting::kUncertainty};
  return values;
}

template <>
const std::vector<RegressionLossType>& all_values<RegressionLossType>() {
  static const std::vector<RegressionLossType> values = {RegressionLossType::kMse,
                                                         RegressionLossType::kHuber};
  return values;
}

template <>
const std::vector<Device>& all_values<Device>() {
  static const std::vector<Device> values = {Device::kAuto, Device::kCpu, Device::kCuda};
  return values;
}

template <>
const std::vector<SchedulerType>& all_values<SchedulerType>() {
  static const std::vector<SchedulerType> values = {SchedulerType::kNone,
                                                    SchedulerType::kReduceOnPlateau};
  return values;
}

template <>
const std::vector<ThresholdMode>& all_values<ThresholdMode>() {
  static const std::vector<ThresholdMode> values = {ThresholdMode::kRel, ThresholdMode::kAbs};
  return values;
}

template <>
const std::vector<MonitorMode>& all_values<MonitorMode>() {
  static const std::vector<MonitorMode> values = {MonitorMode::kAuto, MonitorMode::kMin, MonitorMode::kMax};
  return values;
}

template <>
const std::vector<DistributedBackend>& all_values<DistributedBackend>() {
  static const std::vector<DistributedBackend> values = {
      DistributedBackend::kAuto, DistributedBackend::kLocal, DistributedBackend::kMpi,
      DistributedBackend::kNccl};
  return values;
}

template <>
const std::vector<ParamGroup>& all_values<ParamGroup>() {
  static const std::vector<ParamGroup> values = {ParamGroup::kShared, ParamGroup::kExperts,
                                                 ParamGroup::kGates, ParamGroup::kTowers};
  return values;
}

template <>
const std::vector<DataCache>& all_values<DataCache>() {
  static const std::vector<DataCache> values = {DataCache::kNone, DataCache::kHost, DataCache::kDevice};
  return values;
}

template <>
const std::vector<NonFiniteFeatures>& all_values<NonFiniteFeatures>() {
  static const std::vector<NonFiniteFeatures> values = {NonFiniteFeatures::kError, NonFiniteFeatures::kSkip};
  return values;
}

template <>
const std::vector<NonFiniteLoss>& all_values<NonFiniteLoss>() {
  static const std::vector<NonFiniteLoss> values = {NonFiniteLoss::kError, NonFiniteLoss::kSkip};
  return values;
}

template <>
const std::vector<ProgressMode>& all_values<ProgressMode>() {
  static const std::vector<ProgressMode> values = {ProgressMode::kAuto, ProgressMode::kBar, ProgressMode::kLines,
                                                   ProgressMode::kNone};
  return values;
}

template <>
const std::vector<AmpMode>& all_values<AmpMode>() {
  static const std::vector<AmpMode> values = {AmpMode::kNone, AmpMode::kBf16};
  return values;
}

}  // namespace mmoe::experiments
