#include "trainer/inplace_adamw.h"

#include <cmath>

namespace mmoe::trainer {

InPlaceAdamW::InPlaceAdamW(std::vector<torch::optim::OptimizerParamGroup> param_groups,
                           torch::optim::AdamWOptions defaults)
    : torch::optim::AdamW(std::move(param_groups), std::move(defaults)) {
  for (auto& group : this->param_groups()) {
    TORCH_CHECK(!static_cast<torch::optim::AdamWOptions&>(group.options()).amsgrad(),
                "InPlaceAdamW: amsgrad is not supported");
  }
}

torch::Tensor InPlaceAdamW::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups()) {
    auto& options = static_cast<torch::optim::AdamWOptions&>(group.options());
    const double lr = options.lr();
    const double beta1 = std::get<0>(options.betas());
    const double beta2 = std::get<1>(options.betas());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const auto& grad = p.grad();
      TORCH_CHECK(!grad.is_sparse(), "InPlaceAdamW: sparse gradients are not supported");
      auto* impl = p.unsafeGetTensorImpl();
      const auto key = c10::guts::to_string(impl);  // LibTorch's key, so state (de)serialises as AdamW's
      auto state_it = state_.find(key);
      if (state_it == state_.end()) {
        auto state = std::make_unique<torch::optim::AdamWParamState>();
        state->step(0);
        state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        state_it = state_.emplace(key, std::move(state)).first;
      }
      auto& state = static_cast<torch::optim::AdamWParamState&>(*state_it->second);
      auto& denominator = scratch_[impl];
      if (!denominator.defined() || !denominator.sizes().equals(p.sizes()) || denominator.device() != p.device()) {
        denominator = torch::empty_like(p, torch::MemoryFormat::Preserve);
      }

      if (options.weight_decay() != 0.0) p.mul_(1.0 - lr * options.weight_decay());
      state.step(state.step() + 1);
      const double bias_correction1 = 1.0 - std::pow(beta1, static_cast<double>(state.step()));
      const double bias_correction2 = 1.0 - std::pow(beta2, static_cast<double>(state.step()));
      auto& exp_avg = state.exp_avg();
      auto& exp_avg_sq = state.exp_avg_sq();
      exp_avg.mul_(beta1).add_(grad, 1.0 - beta1);
      exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1.0 - beta2);
      torch::sqrt_out(denominator, exp_avg_sq);
      denominator.div_(std::sqrt(bias_correction2)).add_(options.eps());
      p.addcdiv_(exp_avg, denominator, -lr / bias_correction1);
    }
  }
  return loss;
}

}  // namespace mmoe::trainer
