#include "data/feature_statistics.h"

#include <algorithm>

namespace mmoe::data {
namespace {

// (mean, std) [D] in float64: two passes (sum, then centred squares) for accuracy.
std::pair<torch::Tensor, torch::Tensor> statistics_double(const FeatureChunkVisitor& for_each_chunk, int64_t rows,
                                                          int64_t dim) {
  TORCH_CHECK(rows > 0, "feature_statistics: no rows");
  auto sum = torch::zeros({dim}, torch::kDouble);
  for_each_chunk([&](const torch::Tensor& chunk) { sum += chunk.to(torch::kDouble).sum(0); });
  const auto mean = sum / static_cast<double>(rows);
  auto squares = torch::zeros_like(sum);
  for_each_chunk([&](const torch::Tensor& chunk) { squares += (chunk.to(torch::kDouble) - mean).square().sum(0); });
  return {mean, (squares / static_cast<double>(rows)).sqrt()};
}

// Row chunks of an in-memory tensor, so no [N, D] float64 copy is made.
std::pair<torch::Tensor, torch::Tensor> statistics_double(const torch::Tensor& features) {
  TORCH_CHECK(features.dim() == 2 && features.size(0) > 0, "feature_statistics: features must be [N>0, D]");
  constexpr int64_t kChunkRows = 16384;
  const int64_t n = features.size(0);
  const auto chunks = [&](const std::function<void(const torch::Tensor&)>& visit) {
    for (int64_t start = 0; start < n; start += kChunkRows) visit(features.slice(0, start, std::min(n, start + kChunkRows)));
  };
  return statistics_double(chunks, n, features.size(1));
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

std::pair<torch::Tensor, torch::Tensor> feature_statistics(const FeatureChunkVisitor& for_each_chunk, int64_t rows,
                                                           int64_t dim) {
  const auto [mean, std] = statistics_double(for_each_chunk, rows, dim);
  return {mean.to(torch::kFloat), std.to(torch::kFloat)};
}

FeatureStats make_feature_stats(const std::string& split, const torch::Tensor& features) {
  const auto [mean, std] = statistics_double(features);
  return {split, features.size(0), to_vector(mean), to_vector(std)};
}

}  // namespace mmoe::data
