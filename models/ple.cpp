#include "models/ple.h"

#include <string>

#include "models/mlp_tower.h"
#include "models/spec_options.h"
#include "models/mmoe.h"

namespace mmoe::models {
namespace {

torch::Tensor add_defined(const torch::Tensor& sum, const torch::Tensor& term) {
  if (!term.defined()) return sum;
  return sum.defined() ? sum + term : term;
}

}  // namespace

CgcLevelImpl::CgcLevelImpl(CgcLevelOptions options) : options_(std::move(options)) {
  TORCH_CHECK(options_.num_tasks() >= 1, "CgcLevel: num_tasks must be >= 1");
  TORCH_CHECK(options_.task_experts() >= 1, "CgcLevel: task_experts must be >= 1, got ", options_.task_experts());
  TORCH_CHECK(options_.shared_experts() >= 1, "CgcLevel: shared_experts must be >= 1, got ",
              options_.shared_experts());
  reset();
}

void CgcLevelImpl::reset() {
  const int64_t tasks = options_.num_tasks();
  const int64_t own = options_.task_experts();
  const int64_t shared = options_.shared_experts();
  experts_ = register_module("experts", FusedExperts(FusedExpertsOptions(options_.input_dim(), tasks * own + shared,
                                                                         options_.hidden())
                                                         .activation(options_.activation())
                                                         .dropout(options_.dropout())));
  task_gates_ = register_module("task_gates", torch::nn::ModuleList());
  for (int64_t t = 0; t < tasks; ++t) {
    task_gates_->push_back(TaskGates(gate_options(options_.gate(), options_.input_dim(), /*num_gates=*/1, own + shared)));
  }
  if (options_.shared_gate()) {
    shared_gate_ = register_module(
        "shared_gate", TaskGates(gate_options(options_.gate(), options_.input_dim(), /*num_gates=*/1, tasks * own + shared)));
  }
}

CgcOutput CgcLevelImpl::forward(const torch::Tensor& x) {
  const auto task_in = x.unsqueeze(0).expand({options_.num_tasks(), x.size(0), x.size(1)});  // [T, B, D], no copy
  return mix(experts_->forward(x), task_in, x);
}

CgcOutput CgcLevelImpl::forward_grouped(const torch::Tensor& task_in, const torch::Tensor& shared_in) {
  const int64_t tasks = options_.num_tasks();
  TORCH_CHECK(task_in.dim() == 3 && task_in.size(0) == tasks && shared_in.dim() == 2 &&
                  shared_in.size(0) == task_in.size(1) && shared_in.size(1) == task_in.size(2),
              "CgcLevel: expected task inputs [", tasks, ", B, D] and shared input [B, D], got ", task_in.sizes(),
              " and ", shared_in.sizes());
  // Each expert's input: task t's m experts read task_in[t], the s shared experts shared_in. [T*m + s, B, D]
  const auto grouped = torch::cat(
      {task_in.repeat_interleave(options_.task_experts(), /*dim=*/0),
       shared_in.unsqueeze(0).expand({options_.shared_experts(), shared_in.size(0), shared_in.size(1)})},
      /*dim=*/0);
  return mix(experts_->forward_grouped(grouped), task_in, shared_in);
}

CgcOutput CgcLevelImpl::mix(const torch::Tensor& expert_out, const torch::Tensor& task_in,
                            const torch::Tensor& shared_in) {
  const int64_t tasks = options_.num_tasks();
  const int64_t own = options_.task_experts();
  const int64_t shared = options_.shared_experts();
  const int64_t batch = expert_out.size(1);
  const int64_t width = expert_out.size(2);
  CgcOutput out;
  std::vector<torch::Tensor> gates;
  gates.reserve(static_cast<size_t>(tasks));
  for (int64_t t = 0; t < tasks; ++t) {
    GateResult gate = task_gates_[static_cast<size_t>(t)]->as<TaskGates>()->forward(task_in.select(0, t));
    gates.push_back(gate.weights);  // [B, 1, m + s]
    out.aux_loss = add_defined(out.aux_loss, gate.aux_loss);
  }
  out.task_gates = torch::cat(gates, /*dim=*/1);  // [B, T, m + s]

  const auto own_out = expert_out.narrow(0, 0, tasks * own).reshape({tasks, own, batch, width});  // [T, m, B, H]
  const auto shared_out = expert_out.narrow(0, tasks * own, shared);                               // [s, B, H]
  out.task = torch::einsum("btj,tjbh->tbh", {out.task_gates.narrow(2, 0, own), own_out}) +
             torch::einsum("btj,jbh->tbh", {out.task_gates.narrow(2, own, shared), shared_out});  // [T, B, H]
  if (shared_gate_) {
    GateResult gate = shared_gate_->forward(shared_in);  // [B, 1, T*m + s]
    out.shared = torch::bmm(gate.weights, expert_out.transpose(0, 1)).squeeze(1);  // [B, H]
    out.aux_loss = add_defined(out.aux_loss, gate.aux_loss);
  }
  return out;
}

std::vector<torch::Tensor> CgcLevelImpl::gate_parameters() const {
  auto parameters = task_gates_->parameters();
  if (shared_gate_) {
    for (const auto& p : shared_gate_->parameters()) parameters.push_back(p);
  }
  return parameters;
}

PleImpl::PleImpl(ModelSpec spec) : spec_(std::move(spec)) {
  check_common_spec(spec_);
  TORCH_CHECK(spec_.ple.levels >= 1, "Ple: ple.levels must be >= 1, got ", spec_.ple.levels);
  TORCH_CHECK(spec_.ple.task_experts >= 1, "Ple: ple.task_experts must be >= 1, got ", spec_.ple.task_experts);
  TORCH_CHECK(spec_.ple.shared_experts >= 1, "Ple: ple.shared_experts must be >= 1, got ", spec_.ple.shared_experts);
  TORCH_CHECK(!spec_.expert_hidden.empty(), "Ple: expert_hidden needs at least one width");
  reset();
}

void PleImpl::reset() {
  init_loss_weighting(spec_.loss_weighting);
  input_ = register_module("input", InputBlock(input_block_options(spec_)));
  levels_ = register_module("levels", torch::nn::ModuleList());
  int64_t width = input_->output_dim();
  for (int64_t level = 0; level < spec_.ple.levels; ++level) {
    levels_->push_back(CgcLevel(
        CgcLevelOptions(width, num_tasks(), spec_.ple.task_experts, spec_.ple.shared_experts, spec_.expert_hidden)
            .activation(spec_.activation)
            .dropout(spec_.expert_dropout)
            .gate(spec_.gate)
            .shared_gate(level + 1 < spec_.ple.levels)));
    width = spec_.expert_hidden.back();
  }
  towers_ = register_module("towers", torch::nn::ModuleList());
  for (const auto& task : spec_.tasks) {
    towers_->push_back(MlpTower(tower_options_for(task, width, spec_)));
  }
}

ModelOutput PleImpl::forward(const torch::Tensor& x) {
  const torch::Tensor h = input_->forward(x);  // [B, D']
  CgcOutput level = levels_[0]->as<CgcLevel>()->forward(h);
  torch::Tensor aux = level.aux_loss;
  for (size_t k = 1; k < levels_->size(); ++k) {
    level = levels_[k]->as<CgcLevel>()->forward_grouped(level.task, level.shared);
    aux = add_defined(aux, level.aux_loss);
  }
  ModelOutput out;
  out.gates = level.task_gates;  // [B, T, m + s]
  if (aux.defined()) {
    const int64_t gates = spec_.ple.levels * num_tasks() + (spec_.ple.levels - 1);
    out.aux_loss = aux / static_cast<double>(gates);
  }
  out.task_outputs.reserve(towers_->size());
  for (size_t t = 0; t < towers_->size(); ++t) {
    out.task_outputs.push_back(towers_[t]->as<MlpTower>()->forward(level.task.select(0, static_cast<int64_t>(t))));
  }
  return out;
}

ParameterGroups PleImpl::architecture_parameter_groups() const {
  ParameterGroups groups;
  groups.shared = input_->shared_parameters();
  for (const auto& module : *levels_) {
    const auto& level = *module->as<CgcLevel>();
    for (const auto& p : level.expert_parameters()) groups.experts.push_back(p);
    for (const auto& p : level.gate_parameters()) groups.gates.push_back(p);
  }
  groups.towers = towers_->parameters();
  return groups;
}

GateLayout PleImpl::gate_layout() const {
  GateLayout layout;
  std::vector<std::string> shared;
  for (int64_t e = 0; e < spec_.ple.shared_experts; ++e) shared.push_back("shared." + std::to_string(e));
  for (const auto& task : spec_.tasks) {
    std::vector<std::string> experts;
    for (int64_t e = 0; e < spec_.ple.task_experts; ++e) experts.push_back(task.name + "." + std::to_string(e));
    experts.insert(experts.end(), shared.begin(), shared.end());
    layout.gate_names.push_back(task.name);
    layout.expert_names.push_back(experts);
  }
  layout.description = "PLE with " + std::to_string(spec_.ple.levels) +
                       " level(s); final level: one softmax gate per task over its " +
                       std::to_string(spec_.ple.task_experts) + " own and " +
                       std::to_string(spec_.ple.shared_experts) + " shared experts";
  return layout;
}

}  // namespace mmoe::models
