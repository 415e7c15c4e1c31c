#include "models/gate_stats.h"

#include <cmath>
#include <cstdio>

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

namespace {

constexpr double kDominantShare = 0.9;

std::string percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f%%", 100.0 * fraction);
  return buffer;
}

}  // namespace

std::vector<std::string> collapse_warnings(const std::vector<TaskGateSummary>& summaries,
                                           const std::vector<std::string>& gate_names, double threshold) {
  TORCH_CHECK(summaries.size() == gate_names.size(), "collapse_warnings: ", summaries.size(), " gate summaries but ",
              gate_names.size(), " gate names");
  TORCH_CHECK(threshold >= 0.0, "collapse_warnings: threshold must be >= 0, got ", threshold);
  std::vector<std::string> warnings;
  for (size_t g = 0; g < summaries.size(); ++g) {
    const auto& utilization = summaries[g].utilization;
    const size_t experts = utilization.size();
    if (experts < 2) continue;
    const std::string gate = "gate '" + gate_names[g] + "': ";
    size_t top = 0;
    for (size_t e = 1; e < experts; ++e) {
      if (utilization[e] > utilization[top]) top = e;
    }
    if (utilization[top] > kDominantShare) {
      warnings.push_back(gate + "expert e" + std::to_string(top) + " takes " + percent(utilization[top]) +
                         " of the routing");
      continue;
    }
    const double limit = threshold > 0.0 ? threshold : 1.0 / (10.0 * static_cast<double>(experts));
    const std::string limit_text = percent(limit) + (threshold > 0.0 ? "" : " (1/(10E))");
    std::vector<size_t> low;
    for (size_t e = 0; e < experts; ++e) {
      if (utilization[e] < limit) low.push_back(e);
    }
    if (low.size() == 1) {
      warnings.push_back(gate + "expert e" + std::to_string(low[0]) + " utilisation " + percent(utilization[low[0]]) +
                         " is below " + limit_text + "; the expert may have collapsed");
    } else if (low.size() > 1) {
      std::string list;
      for (size_t e : low) {
        list += (list.empty() ? "" : ", ") + ("e" + std::to_string(e)) + " (" + percent(utilization[e]) + ")";
      }
      warnings.push_back(gate + "experts " + list + " have utilisation below " + limit_text +
                         "; the experts may have collapsed");
    }
  }
  return warnings;
}

}  // namespace mmoe::models
