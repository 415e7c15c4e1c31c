#include "models/make_model.h"

#include "models/mmoe.h"
#include "models/omoe.h"
#include "models/ple.h"
#include "models/shared_bottom.h"
#include "models/single_task.h"

namespace mmoe::models {

MultiTaskModel make_model(const ModelSpec& spec) {
  switch (spec.type) {
    case ModelType::kMmoe: return Mmoe(spec).ptr();
    case ModelType::kOmoe: return Omoe(spec).ptr();
    case ModelType::kSharedBottom: return SharedBottom(spec).ptr();
    case ModelType::kSingleTask: return SingleTask(spec).ptr();
    case ModelType::kPle: return Ple(spec).ptr();
  }
  TORCH_CHECK(false, "make_model: unknown model type ", static_cast<int>(spec.type));
}

}  // namespace mmoe::models
