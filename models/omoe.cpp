#include "models/omoe.h"

#include "models/mlp_tower.h"
#include "models/spec_options.h"
#include "models/mmoe.h"

namespace mmoe::models {

OmoeImpl::OmoeImpl(ModelSpec spec) : spec_(std::move(spec)) {
  check_common_spec(spec_);
  TORCH_CHECK(spec_.num_experts >= 1, "Omoe: num_experts must be >= 1");
  reset();
}

void OmoeImpl::reset() {
  init_loss_weighting(spec_.loss_weighting);
  input_ = register_module("input", InputBlock(input_block_options(spec_)));
  const int64_t width = input_->output_dim();
  experts_ = register_module("experts", FusedExperts(FusedExpertsOptions(width, spec_.num_experts, spec_.expert_hidden)
                                                         .activation(spec_.activation)
                                                         .dropout(spec_.expert_dropout)));
  gate_ = register_module("gate", TaskGates(gate_options(spec_.gate, width, /*num_gates=*/1, spec_.num_experts)));
  towers_ = register_module("towers", torch::nn::ModuleList());
  for (const auto& task : spec_.tasks) {
    towers_->push_back(MlpTower(tower_options_for(task, experts_->output_dim(), spec_)));
  }
}

ModelOutput OmoeImpl::forward(const torch::Tensor& x) {
  const torch::Tensor h = input_->forward(x);             // [B, D']
  const torch::Tensor expert_out = experts_->forward(h);  // [E, B, H]
  GateResult gate = gate_->forward(h);
  ModelOutput out;
  out.gates = gate.weights;                               // [B, 1, E]
  out.aux_loss = gate.aux_loss;                           // undefined without load balancing
  // [B, 1, E] x [B, E, H] -> [B, 1, H] -> [B, H]
  const torch::Tensor mixed = torch::bmm(out.gates, expert_out.transpose(0, 1)).squeeze(1);
  out.task_outputs.reserve(towers_->size());
  for (size_t t = 0; t < towers_->size(); ++t) {
    out.task_outputs.push_back(towers_[t]->as<MlpTower>()->forward(mixed));
  }
  return out;
}

ParameterGroups OmoeImpl::architecture_parameter_groups() const {
  ParameterGroups groups;
  groups.shared = input_->shared_parameters();
  groups.experts = experts_->parameters();
  groups.gates = gate_->parameters();
  groups.towers = towers_->parameters();
  return groups;
}

GateLayout OmoeImpl::gate_layout() const {
  GateLayout layout;
  layout.gate_names = {"shared"};
  std::vector<std::string> experts;
  for (int64_t e = 0; e < spec_.num_experts; ++e) experts.push_back("e" + std::to_string(e));
  layout.expert_names = {experts};
  layout.description = "one softmax gate shared by all tasks over " + std::to_string(spec_.num_experts) + " experts";
  return layout;
}

}  // namespace mmoe::models
