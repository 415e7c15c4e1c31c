#pragma once
// Central finite differences for gradient checks (float64 parameters).
#include <algorithm>
#include <functional>

#include <torch/torch.h>

namespace mmoe::testing {

// Largest |autograd - numeric| over every entry of `param` (up to `max_entries` of them) of the
// scalar `loss()`, relative to max(1, |numeric|).
inline double max_gradient_error(const std::function<torch::Tensor()>& loss, torch::Tensor param,
                                 double step = 1e-6, int64_t max_entries = 64) {
  if (param.grad().defined()) param.mutable_grad().zero_();
  loss().backward();
  const auto analytic = param.grad().clone();
  double worst = 0.0;
  torch::NoGradGuard no_grad;
  auto flat = param.view({-1});
  const int64_t count = std::min<int64_t>(flat.numel(), max_entries);
  const int64_t stride = std::max<int64_t>(1, flat.numel() / count);
  for (int64_t i = 0; i < flat.numel(); i += stride) {
    const double original = flat[i].item<double>();
    flat[i] = original + step;
    const double up = loss().item<double>();
    flat[i] = original - step;
    const double down = loss().item<double>();
    flat[i] = original;
    const double numeric = (up - down) / (2 * step);
    const double error = std::abs(analytic.view({-1})[i].item<double>() - numeric) /
                         std::max(1.0, std::abs(numeric));
    worst = std::max(worst, error);
  }
  return worst;
}

}  // namespace mmoe::testing
