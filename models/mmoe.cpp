#include "models/mmoe.h"

#include <set>

namespace mmoe::models {

MmoeImpl::MmoeImpl(MmoeOptions options) : options_(std::move(options)) {
  TORCH_CHECK(!options_.tasks().empty(), "Mmoe: needs at least one task");
  std::set<std::string> names;
  for (const auto& task : options_.tasks()) {
    TORCH_CHECK(names.insert(task.name).second, "Mmoe: duplicate task name '", task.name, "'");
    TORCH_CHECK(task.output_dim >= 1, "Mmoe: task '", task.name, "' needs output_dim >= 1");
  }
  reset();
}

void MmoeImpl::reset() {
  int64_t expert_input = options_.input_dim();
  if (options_.shared_dim() > 0) {
    shared_ = register_module(
        "shared", SharedBlock(SharedBlockOptions(options_.input_dim(), options_.shared_dim())
                                  .dropout(options_.shared_dropout())));
    expert_input = options_.shared_dim();
  }
  experts_ = register_module(
      "experts", FusedExperts(FusedExpertsOptions(expert_input, options_.num_experts(),
                                                  options_.expert_hidden())
                                  .activation(options_.activation())
                                  .dropout(options_.expert_dropout())));
  gates_ = register_module(
      "gates", TaskGates(TaskGatesOptions(expert_input, num_tasks(), options_.num_experts())
                             .temperature(options_.gate_temperature())));
  towers_ = register_module("towers", torch::nn::ModuleList());
  for (const auto& task : options_.tasks()) {
    towers_->push_back(MlpTower(
        MlpTowerOptions(experts_->output_dim(), options_.tower_hidden(), task.output_dim)
            .activation(options_.activation())));
  }
}

MmoeOutput MmoeImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == options_.input_dim(), "Mmoe: expected input [B, ",
              options_.input_dim(), "], got ", x.sizes());
  const torch::Tensor h = shared_ ? shared_->forward(x) : x;  // [B, D']
  const torch::Tensor expert_out = experts_->forward(h);       // [E, B, H]
  MmoeOutput out;
  out.gates = gates_->forward(h);                              // [B, T, E]
  // [B, T, E] x [B, E, H] -> [B, T, H]
  const torch::Tensor mixed = torch::bmm(out.gates, expert_out.transpose(0, 1));
  out.task_outputs.reserve(towers_->size());
  for (size_t t = 0; t < towers_->size(); ++t) {
    out.task_outputs.push_back(towers_[t]->as<MlpTower>()->forward(mixed.select(1, static_cast<int64_t>(t))));
  }
  return out;
}

std::vector<torch::Tensor> MmoeImpl::shared_parameters() const {
  return shared_ ? shared_->parameters() : std::vector<torch::Tensor>{};
}
std::vector<torch::Tensor> MmoeImpl::expert_parameters() const { return experts_->parameters(); }
std::vector<torch::Tensor> MmoeImpl::gate_parameters() const { return gates_->parameters(); }
std::vector<torch::Tensor> MmoeImpl::tower_parameters() const { return towers_->parameters(); }

}  // namespace mmoe::models
