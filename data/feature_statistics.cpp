#include "data/feature_statistics.h"

#include <algorithm>

namespace mmoe::data {
namespace {

// (mean, std) [D] in float64.
std::pair<torch::Tensor, torch::Tensor> statistics_double(const torch::Tensor& features) {
  TORCH_CHECK(features.dim() == 2 && features.size(0) > 0, "feature_statistics: features must be [N>0, D]");
  constexpr int64_t kChunkRows = 16384;
  const int64_t n = features.size(0);
  auto sum = torch::zeros({features.size(1)}, torch::kDouble);
  for (int64_t start = 0; start < n; start += kChunkRows) {
    sum += features.slice(0, start, std::min(n, start + kChunkRows)).to(torch::kDouble).sum(0);
  }
  const auto mean = sum / static_cast<double>(n);
  auto squares = torch::zeros_like(sum);  // centred (two passes), for accuracy
  for (int64_t start = 0; start < n; start += kChunkRows) {
    squares += (features.slice(0, start, std::min(n, start + kChunkRows)).to(torch::kDouble) - mean).square().sum(0);
  }
  return {mean, (squares / static_cast<double>(n)).sqrt()};
}

std::vector<double> to_vector(const torch::Tensor& values) {
  const auto contiguous = values.contiguous();
  return {contiguous.data_ptr<double>(), contiguous.data_ptr<double>() + contiguous.numel()};
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> feature_statistics(const torch::Tensor& features) {
  const auto [mean, std] = statistics_double(features);
  return {mean.to(torch::kFloat), std.to(torch::kFloat)};
}

FeatureStats make_feature_stats(const std::string& split, const torch::Tensor& features) {
  const auto [mean, std] = statistics_double(features);
  return {split, features.size(0), to_vector(mean), to_vector(std)};
}

}  // namespace mmoe::data
