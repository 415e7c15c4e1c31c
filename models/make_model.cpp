#include "models/make_model.h"

#include "models/mmoe.h"

namespace mmoe::models {

MultiTaskModel make_model(const ModelSpec& spec) {
  switch (spec.type) {
    case ModelType::kMmoe: return Mmoe(spec).ptr();
    default: break;
  }
  TORCH_CHECK(false, "model type '", to_string(spec.type), "' is not built yet");
}

}  // namespace mmoe::models
