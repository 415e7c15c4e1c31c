#include "models/single_task.h"

#include "models/mlp_tower.h"
#include "models/spec_options.h"
#include "models/mmoe.h"

namespace mmoe::models {

SingleTaskImpl::SingleTaskImpl(ModelSpec spec) : spec_(std::move(spec)) {
  check_common_spec(spec_);
  TORCH_CHECK(!bottom_widths(spec_).empty(), "SingleTask: bottom_hidden (or expert_hidden) needs at least one width");
  reset();
}

void SingleTaskImpl::reset() {
  init_loss_weighting(spec_.loss_weighting);
  input_ = register_module("input", InputBlock(input_block_options(spec_)));
  networks_ = register_module(
      "networks", FusedExperts(FusedExpertsOptions(input_->output_dim(), num_tasks(), bottom_widths(spec_))
                                   .activation(spec_.activation)
                                   .dropout(spec_.expert_dropout)));
  towers_ = register_module("towers", torch::nn::ModuleList());
  for (const auto& task : spec_.tasks) {
    towers_->push_back(MlpTower(tower_options_for(task, networks_->output_dim(), spec_)));
  }
}

ModelOutput SingleTaskImpl::forward(const torch::Tensor& x) {
  const torch::Tensor h = input_->forward(x);            // [B, D']
  const torch::Tensor nets = networks_->forward(h);      // [T, B, H]
  ModelOutput out;
  out.task_outputs.reserve(towers_->size());
  for (size_t t = 0; t < towers_->size(); ++t) {
    out.task_outputs.push_back(towers_[t]->as<MlpTower>()->forward(nets.select(0, static_cast<int64_t>(t))));
  }
  return out;
}

ParameterGroups SingleTaskImpl::architecture_parameter_groups() const {
  ParameterGroups groups;
  groups.shared = input_->shared_parameters();
  groups.towers = networks_->parameters();
  for (const auto& p : towers_->parameters()) groups.towers.push_back(p);
  return groups;
}

GateLayout SingleTaskImpl::gate_layout() const {
  GateLayout layout;
  layout.description = "no gates (single-task networks)";
  return layout;
}

}  // namespace mmoe::models
