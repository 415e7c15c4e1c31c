#include "models/model_spec.h"

namespace mmoe::models {

const char* to_string(ModelType type) {
  switch (type) {
    case ModelType::kMmoe: return "mmoe";
    case ModelType::kOmoe: return "omoe";
    case ModelType::kSharedBottom: return "shared_bottom";
    case ModelType::kSingleTask: return "single_task";
    case ModelType::kPle: return "ple";
  }
  return "unknown";
}

}  // namespace mmoe::models
