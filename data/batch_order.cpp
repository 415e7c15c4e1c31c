#include "data/batch_order.h"

namespace mmoe::data {

torch::Tensor epoch_permutation(int64_t rows, uint64_t seed, int64_t epoch) {
  auto generator = at::detail::createCPUGenerator(seed * 1000003ULL + static_cast<uint64_t>(epoch));
  return torch::randperm(rows, generator, torch::TensorOptions().dtype(torch::kInt64));
}

std::vector<torch::Tensor> split_into_batches(const torch::Tensor& order, int64_t batch_size, bool drop_last) {
  TORCH_CHECK(batch_size >= 1, "batch_size must be >= 1");
  std::vector<torch::Tensor> batches;
  const int64_t rows = order.size(0);
  for (int64_t start = 0; start < rows; start += batch_size) {
    const int64_t end = std::min(rows, start + batch_size);
    if (drop_last && end - start < batch_size) break;
    batches.push_back(order.slice(0, start, end));
  }
  return batches;
}

}  // namespace mmoe::data
