#pragma once
// AdamW over named parameter groups (shared, experts, gates, towers), each with its own lr and
// weight decay from optim.groups; biases (every parameter named bias*, including the fused
// experts' [E, H] biases) and norm parameters (every 1-D tensor) get no decay.
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "experiments/config.h"
#include "models/multitask_model.h"
#include "trainer/inplace_adamw.h"

namespace mmoe::trainer {

struct GroupedOptimizer {
  std::unique_ptr<torch::optim::AdamW> optimizer;  // an InPlaceAdamW (trainer/inplace_adamw.h)
  std::vector<std::string> group_names;  // one per optimizer param group, e.g. "experts"
  std::vector<std::string> lr_groups;    // distinct names, in order, for lr logging

  std::vector<double> learning_rates() const;  // one per optimizer param group
  void set_learning_rates(const std::vector<double>& lrs);
  double learning_rate(const std::string& group) const;
};

GroupedOptimizer make_optimizer(models::MultiTaskModelImpl& model, const experiments::OptimConfig& config);

}  // namespace mmoe::trainer
