#include "models/gate_stats.h"

#include <cmath>

namespace mmoe::models {

GateStatsAccumulator::GateStatsAccumulator(int64_t num_tasks, int64_t num_experts)
    : num_tasks_(num_tasks), num_experts_(num_experts) {
  reset();
}

void GateStatsAccumulator::reset() {
  utilization_sums_ = torch::zeros({num_tasks_, num_experts_}, torch::kDouble);
  entropy_sums_ = torch::zeros({num_tasks_}, torch::kDouble);
  rows_ = 0;
}

void GateStatsAccumulator::add(const torch::Tensor& gates) {
  TORCH_CHECK(gates.dim() == 3 && gates.size(1) == num_tasks_ && gates.size(2) == num_experts_,
              "GateStatsAccumulator: expected gates [B, ", num_tasks_, ", ", num_experts_,
              "], got ", gates.sizes());
  torch::NoGradGuard no_grad;
  const auto g = gates.detach().to(torch::kDouble);
  // xlogy gives 0 * log(0) = 0 for experts a gate gives no weight.
  const auto entropy = -torch::xlogy(g, g).sum(2);  // [B, T]
  utilization_sums_ += g.sum(0).to(torch::kCPU);
  entropy_sums_ += entropy.sum(0).to(torch::kCPU);
  rows_ += gates.size(0);
}

torch::Tensor GateStatsAccumulator::packed_sums() const {
  return torch::cat({utilization_sums_.flatten(), entropy_sums_,
                     torch::full({1}, static_cast<double>(rows_), torch::kDouble)});
}

void GateStatsAccumulator::load_packed_sums(const torch::Tensor& packed) {
  const int64_t cells = num_tasks_ * num_experts_;
  TORCH_CHECK(packed.numel() == cells + num_tasks_ + 1, "GateStatsAccumulator: packed size mismatch");
  const auto p = packed.to(torch::kCPU, torch::kDouble);
  utilization_sums_ = p.slice(0, 0, cells).view({num_tasks_, num_experts_}).clone();
  entropy_sums_ = p.slice(0, cells, cells + num_tasks_).clone();
  rows_ = static_cast<int64_t>(std::llround(p[cells + num_tasks_].item<double>()));
}

std::vector<TaskGateSummary> GateStatsAccumulator::summaries() const {
  std::vector<TaskGateSummary> out(static_cast<size_t>(num_tasks_));
  if (rows_ == 0) return out;
  const double log_experts = std::log(static_cast<double>(num_experts_));
  const auto utilization = utilization_sums_ / static_cast<double>(rows_);
  for (int64_t t = 0; t < num_tasks_; ++t) {
    auto& summary = out[static_cast<size_t>(t)];
    for (int64_t e = 0; e < num_experts_; ++e) {
      summary.utilization.push_back(utilization[t][e].item<double>());
    }
    summary.entropy_nats = entropy_sums_[t].item<double>() / static_cast<double>(rows_);
    summary.entropy_normalized = num_experts_ > 1 ? summary.entropy_nats / log_experts : 0.0;
  }
  return out;
}

}  // namespace mmoe::models
