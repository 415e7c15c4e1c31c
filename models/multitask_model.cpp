#include "models/multitask_model.h"

#include "models/input_block.h"

namespace mmoe::models {

void MultiTaskModelImpl::init_loss_weighting(LossWeighting weighting) {
  if (weighting == LossWeighting::kUncertainty) {
    loss_log_variances_ = register_parameter("loss_log_variances", torch::zeros({num_tasks()}));
  } else {
    loss_log_variances_ = torch::Tensor();
  }
}

ParameterGroups MultiTaskModelImpl::parameter_groups() const {
  ParameterGroups groups = architecture_parameter_groups();
  if (loss_log_variances_.defined()) groups.towers.push_back(loss_log_variances_);
  return groups;
}

torch::Tensor MultiTaskModelImpl::combine_task_losses(const std::vector<torch::Tensor>& per_task,
                                                      double rank_share) const {
  const auto& heads = tasks();
  TORCH_CHECK(per_task.size() == heads.size(), "combine_task_losses: ", per_task.size(), " losses for ",
              heads.size(), " tasks");
  torch::Tensor total;
  for (size_t t = 0; t < heads.size(); ++t) {
    torch::Tensor term = per_task[t];
    if (loss_log_variances_.defined()) {
      const double c = heads[t].type == TaskType::kRegression ? 0.5 : 1.0;
      const auto s = loss_log_variances_[static_cast<int64_t>(t)];
      term = c * torch::exp(-s) * term + (c * rank_share) * s;
    }
    term = term * heads[t].loss_weight;
    total = total.defined() ? total + term : term;
  }
  return total;
}

void MultiTaskModelImpl::set_feature_statistics(const torch::Tensor& mean, const torch::Tensor& std) {
  std::shared_ptr<InputBlockImpl> input;
  for (const auto& child : named_children()) {
    if (child.key() == "input") input = std::dynamic_pointer_cast<InputBlockImpl>(child.value());
  }
  TORCH_CHECK(input != nullptr, "set_feature_statistics: the model has no input block");
  input->set_feature_statistics(mean, std);
}

}  // namespace mmoe::models
