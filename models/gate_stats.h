#pragma once
// Gate statistics accumulated over an epoch from the gates of the normal forward pass:
// per task, expert utilisation (mean gate weight per expert) and the mean per-sample gate
// entropy in nats and normalised by log(E).
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace mmoe::models {

struct TaskGateSummary {
  std::vector<double> utilization;  // [E], sums to 1
  double entropy_nats = 0.0;
  double entropy_normalized = 0.0;  // entropy / log(E); 0 when E == 1
};

class GateStatsAccumulator {
 public:
  GateStatsAccumulator(int64_t num_tasks, int64_t num_experts);

  // gates [B, T, E] (any device; detached here)
  void add(const torch::Tensor& gates);
  void reset();

  int64_t rows() const { return rows_; }
  // Raw sums for cross-rank reduction: [T*E + T + 1] = utilisation sums, entropy sums, rows.
  torch::Tensor packed_sums() const;
  void load_packed_sums(const torch::Tensor& packed);

  std::vector<TaskGateSummary> summaries() const;  // one per task; empty stats if no rows

 private:
  int64_t num_tasks_;
  int64_t num_experts_;
  torch::Tensor utilization_sums_;  // double [T, E]
  torch::Tensor entropy_sums_;      // double [T]
  int64_t rows_ = 0;
};

// One warning line per gate whose routing looks collapsed, or none for a healthy gate:
//   "gate 'color': expert e1 takes 93.1% of the routing"                  (one expert > 90%)
//   "gate 'color': expert e3 utilisation 0.4% is below 1.2% (1/(10E)); the expert may have collapsed"
// (several low experts are listed in one line). threshold 0 means 1/(10E) for a gate over E
// experts. Experts are named e0, e1, ... in gate order; gates without rows or with one expert
// are skipped. gate_names[g] names summaries[g].
std::vector<std::string> collapse_warnings(const std::vector<TaskGateSummary>& summaries,
                                           const std::vector<std::string>& gate_names, double threshold = 0.0);

}  // namespace mmoe::models
