#include "models/mmoe.h"

#include <set>

#include "models/spec_options.h"

namespace mmoe::models {

void check_common_spec(const ModelSpec& spec) {
  TORCH_CHECK(spec.input_dim >= 1, "model: input_dim must be >= 1, got ", spec.input_dim);
  TORCH_CHECK(!spec.tasks.empty(), "model: needs at least one task");
  std::set<std::string> names;
  for (const auto& task : spec.tasks) {
    TORCH_CHECK(names.insert(task.name).second, "model: duplicate task name '", task.name, "'");
    TORCH_CHECK(task.output_dim >= 1, "model: task '", task.name, "' needs output_dim >= 1");
  }
  TORCH_CHECK(spec.expert_dropout >= 0.0 && spec.expert_dropout < 1.0, "model: expert_dropout must be in [0, 1)");
  TORCH_CHECK(spec.tower_dropout >= 0.0 && spec.tower_dropout < 1.0, "model: tower_dropout must be in [0, 1)");
  TORCH_CHECK(spec.gate.temperature > 0.0, "model: gate temperature must be > 0");
}

MmoeImpl::MmoeImpl(ModelSpec spec) : spec_(std::move(spec)) {
  check_common_spec(spec_);
  TORCH_CHECK(spec_.num_experts >= 1, "Mmoe: num_experts must be >= 1");
  reset();
}

void MmoeImpl::reset() {
  init_loss_weighting(spec_.loss_weighting);
  input_ = register_module("input", InputBlock(input_block_options(spec_)));
  const int64_t width = input_->output_dim();
  experts_ = register_module("experts", FusedExperts(FusedExpertsOptions(width, spec_.num_experts, spec_.expert_hidden)
                                                         .activation(spec_.activation)
                                                         .dropout(spec_.expert_dropout)));
  gates_ = register_module("gates", TaskGates(gate_options(spec_.gate, width, num_tasks(), spec_.num_experts)));
  towers_ = register_module("towers", torch::nn::ModuleList());
  for (const auto& task : spec_.tasks) {
    towers_->push_back(MlpTower(tower_options_for(task, experts_->output_dim(), spec_)));
  }
}

ModelOutput MmoeImpl::forward(const torch::Tensor& x) {
  const torch::Tensor h = input_->forward(x);             // [B, D']
  const torch::Tensor expert_out = experts_->forward(h);  // [E, B, H]
  ModelOutput out;
  GateResult gates = gates_->forward(h);
  out.gates = gates.weights;                              // [B, T, E]
  out.aux_loss = gates.aux_loss;                          // undefined without load balancing
  // [B, T, E] x [B, E, H] -> [B, T, H]
  const torch::Tensor mixed = torch::bmm(out.gates, expert_out.transpose(0, 1));
  out.task_outputs.reserve(towers_->size());
  for (size_t t = 0; t < towers_->size(); ++t) {
    out.task_outputs.push_back(towers_[t]->as<MlpTower>()->forward(mixed.select(1, static_cast<int64_t>(t))));
  }
  return out;
}

ParameterGroups MmoeImpl::architecture_parameter_groups() const {
  ParameterGroups groups;
  groups.shared = input_->shared_parameters();
  groups.experts = experts_->parameters();
  groups.gates = gates_->parameters();
  groups.towers = towers_->parameters();
  return groups;
}

GateLayout MmoeImpl::gate_layout() const {
  GateLayout layout;
  std::vector<std::string> experts;
  for (int64_t e = 0; e < spec_.num_experts; ++e) experts.push_back("e" + std::to_string(e));
  for (const auto& task : spec_.tasks) {
    layout.gate_names.push_back(task.name);
    layout.expert_names.push_back(experts);
  }
  layout.description = "one softmax gate per task over " + std::to_string(spec_.num_experts) + " shared experts";
  return layout;
}

}  // namespace mmoe::models
