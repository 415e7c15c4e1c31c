#include "trainer/optimizer_setup.h"

#include <set>

#include "core/error.h"

namespace mmoe::trainer {

std::vector<double> GroupedOptimizer::learning_rates() const {
  std::vector<double> lrs;
  for (auto& group : optimizer->param_groups()) lrs.push_back(group.options().get_lr());
  return lrs;
}

void GroupedOptimizer::set_learning_rates(const std::vector<double>& lrs) {
  auto& groups = optimizer->param_groups();
  MMOE_ASSERT(lrs.size() == groups.size(), "one learning rate per param group");
  for (size_t g = 0; g < groups.size(); ++g) groups[g].options().set_lr(lrs[g]);
}

double GroupedOptimizer::learning_rate(const std::string& group) const {
  for (size_t g = 0; g < group_names.size(); ++g) {
    if (group_names[g] == group) return optimizer->param_groups()[g].options().get_lr();
  }
  MMOE_ASSERT(false, "unknown parameter group " + group);
  return 0.0;
}

GroupedOptimizer make_optimizer(models::MultiTaskModelImpl& model, const experiments::OptimConfig& config) {
  struct Named {
    experiments::ParamGroup group;
    std::vector<torch::Tensor> params;
  };
  const auto parameters = model.parameter_groups();
  const std::vector<Named> named = {{experiments::ParamGroup::kShared, parameters.shared},
                                    {experiments::ParamGroup::kExperts, parameters.experts},
                                    {experiments::ParamGroup::kGates, parameters.gates},
                                    {experiments::ParamGroup::kTowers, parameters.towers}};
  // No decay on biases and norm parameters: every 1-D tensor, plus every parameter registered as
  // a bias (fused experts keep theirs as [E, H] matrices, so rank alone misses them).
  std::set<const void*> no_decay_params;
  for (const auto& item : model.named_parameters(true)) {
    const std::string leaf = item.key().substr(item.key().rfind('.') + 1);  // npos + 1 == 0
    if (item.value().dim() <= 1 || leaf.rfind("bias", 0) == 0) {
      no_decay_params.insert(item.value().unsafeGetTensorImpl());
    }
  }
  GroupedOptimizer result;
  std::vector<torch::optim::OptimizerParamGroup> groups;
  for (const auto& entry : named) {
    if (entry.params.empty()) continue;
    double lr = config.lr;
    double weight_decay = config.weight_decay;
    const auto found = config.groups.find(entry.group);
    if (found != config.groups.end()) {
      lr = found->second.lr.value_or(lr);
      weight_decay = found->second.weight_decay.value_or(weight_decay);
    }
    std::vector<torch::Tensor> decay, no_decay;
    for (const auto& p : entry.params) {
      (no_decay_params.count(p.unsafeGetTensorImpl()) > 0 ? no_decay : decay).push_back(p);
    }
    const std::string name = experiments::to_string(entry.group);
    result.lr_groups.push_back(name);
    for (auto* part : {&decay, &no_decay}) {
      if (part->empty()) continue;
      auto options = std::make_unique<torch::optim::AdamWOptions>(lr);
      options->betas({config.beta1, config.beta2}).eps(config.eps).weight_decay(part == &decay ? weight_decay : 0.0);
      groups.emplace_back(*part, std::move(options));
      result.group_names.push_back(name);
    }
  }
  result.optimizer = std::make_unique<InPlaceAdamW>(std::move(groups), torch::optim::AdamWOptions(config.lr));
  return result;
}

}  // namespace mmoe::trainer
