#include "models/shared_bottom.h"

#include "models/mlp_tower.h"
#include "models/spec_options.h"
#include "models/mmoe.h"

namespace mmoe::models {

SharedBottomImpl::SharedBottomImpl(ModelSpec spec) : spec_(std::move(spec)) {
  check_common_spec(spec_);
  TORCH_CHECK(!bottom_widths(spec_).empty(), "SharedBottom: bottom_hidden (or expert_hidden) needs at least one width");
  reset();
}

void SharedBottomImpl::reset() {
  init_loss_weighting(spec_.loss_weighting);
  input_ = register_module("input", InputBlock(input_block_options(spec_)));
  bottom_ = register_module("bottom", FusedExperts(FusedExpertsOptions(input_->output_dim(), 1, bottom_widths(spec_))
                                                       .activation(spec_.activation)
                                                       .dropout(spec_.expert_dropout)));
  towers_ = register_module("towers", torch::nn::ModuleList());
  for (const auto& task : spec_.tasks) {
    towers_->push_back(MlpTower(tower_options_for(task, bottom_->output_dim(), spec_)));
  }
}

ModelOutput SharedBottomImpl::forward(const torch::Tensor& x) {
  const torch::Tensor h = input_->forward(x);                   // [B, D']
  const torch::Tensor shared = bottom_->forward(h).select(0, 0);  // [B, H]
  ModelOutput out;
  out.task_outputs.reserve(towers_->size());
  for (size_t t = 0; t < towers_->size(); ++t) {
    out.task_outputs.push_back(towers_[t]->as<MlpTower>()->forward(shared));
  }
  return out;
}

ParameterGroups SharedBottomImpl::architecture_parameter_groups() const {
  ParameterGroups groups;
  groups.shared = input_->shared_parameters();
  for (const auto& p : bottom_->parameters()) groups.shared.push_back(p);
  groups.towers = towers_->parameters();
  return groups;
}

GateLayout SharedBottomImpl::gate_layout() const {
  GateLayout layout;
  layout.description = "no gates (shared bottom)";
  return layout;
}

}  // namespace mmoe::models
