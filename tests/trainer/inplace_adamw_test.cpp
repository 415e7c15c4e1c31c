// InPlaceAdamW against LibTorch's AdamW (the oracle: PyTorch's update rule), step by step.
#include <gtest/gtest.h>

#include "trainer/inplace_adamw.h"

namespace mmoe::trainer {
namespace {

// Two parameter groups, one with decay and one without, different learning rates.
std::vector<torch::optim::OptimizerParamGroup> adamw_groups(const std::vector<torch::Tensor>& params) {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  auto decay = std::make_unique<torch::optim::AdamWOptions>(3e-2);
  decay->betas({0.8, 0.95}).eps(1e-6).weight_decay(0.1);
  groups.emplace_back(std::vector<torch::Tensor>{params[0], params[1]}, std::move(decay));
  auto plain = std::make_unique<torch::optim::AdamWOptions>(1e-2);
  plain->weight_decay(0.0);
  groups.emplace_back(std::vector<torch::Tensor>{params[2]}, std::move(plain));
  return groups;
}

std::vector<torch::Tensor> fresh_params(int seed) {
  torch::manual_seed(seed);
  return {torch::randn({64, 33}).requires_grad_(), torch::randn({8, 4, 5}).requires_grad_(),
          torch::randn({17}).requires_grad_()};
}

TEST(InPlaceAdamW, MatchesLibTorchAdamWOverManySteps) {
  auto ours = fresh_params(1);
  auto reference = fresh_params(1);
  InPlaceAdamW in_place(adamw_groups(ours));
  torch::optim::AdamW libtorch(adamw_groups(reference));
  for (int step = 0; step < 25; ++step) {
    torch::manual_seed(100 + step);
    std::vector<torch::Tensor> grads;
    for (const auto& p : ours) grads.push_back(torch::randn(p.sizes()) * (step % 3 + 0.5));
    for (size_t i = 0; i < ours.size(); ++i) {
      ours[i].mutable_grad() = grads[i].clone();
      reference[i].mutable_grad() = grads[i].clone();
    }
    in_place.step();
    libtorch.step();
    if (step == 10) {  // the learning rate changes like ReduceLROnPlateau changes it
      for (auto* opt : std::vector<torch::optim::Optimizer*>{&in_place, &libtorch}) {
        for (auto& group : opt->param_groups()) group.options().set_lr(group.options().get_lr() * 0.1);
      }
    }
  }
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_TRUE(torch::allclose(ours[i], reference[i], 1e-6, 1e-7)) << "param " << i << " max diff "
                                                                     << (ours[i] - reference[i]).abs().max().item<double>();
  }
}

TEST(InPlaceAdamW, StepAllocatesNoNewParameterSizedTensorsAfterTheFirst) {
  auto params = fresh_params(2);
  InPlaceAdamW optimizer(adamw_groups(params));
  for (auto& p : params) p.mutable_grad() = torch::ones_like(p);
  optimizer.step();
  // Storage of every state tensor stays where it was: updates are in place.
  std::vector<const void*> before;
  for (auto& p : params) {
    const auto& state = static_cast<torch::optim::AdamWParamState&>(
        *optimizer.state().at(c10::guts::to_string(p.unsafeGetTensorImpl())));
    before.push_back(state.exp_avg().data_ptr());
    before.push_back(state.exp_avg_sq().data_ptr());
  }
  optimizer.step();
  size_t k = 0;
  for (auto& p : params) {
    const auto& state = static_cast<torch::optim::AdamWParamState&>(
        *optimizer.state().at(c10::guts::to_string(p.unsafeGetTensorImpl())));
    EXPECT_EQ(state.exp_avg().data_ptr(), before[k++]);
    EXPECT_EQ(state.exp_avg_sq().data_ptr(), before[k++]);
    EXPECT_EQ(state.step(), 2);
  }
}

TEST(InPlaceAdamW, SkipsParametersWithoutGradientsAndRefusesAmsgrad) {
  auto params = fresh_params(3);
  const auto untouched = params[2].detach().clone();
  InPlaceAdamW optimizer(adamw_groups(params));
  params[0].mutable_grad() = torch::ones_like(params[0]);
  optimizer.step();
  EXPECT_TRUE(torch::equal(params[2].detach(), untouched));

  std::vector<torch::optim::OptimizerParamGroup> groups;
  auto options = std::make_unique<torch::optim::AdamWOptions>(1e-3);
  options->amsgrad(true);
  groups.emplace_back(std::vector<torch::Tensor>{params[0]}, std::move(options));
  EXPECT_THROW(InPlaceAdamW{std::move(groups)}, c10::Error);
}

}  // namespace
}  // namespace mmoe::trainer
