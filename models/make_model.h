#pragma once
// Builds the architecture a spec names.
#include "models/model_spec.h"
#include "models/multitask_model.h"

namespace mmoe::models {

MultiTaskModel make_model(const ModelSpec& spec);

}  // namespace mmoe::models
