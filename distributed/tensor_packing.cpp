#include "distributed/tensor_packing.h"

namespace mmoe::distributed {

std::vector<std::vector<size_t>> group_by_dtype(const std::vector<torch::Tensor>& tensors) {
  std::vector<std::vector<size_t>> groups;
  std::vector<torch::ScalarType> dtypes;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto dtype = tensors[i].scalar_type();
    size_t g = 0;
    while (g < dtypes.size() && dtypes[g] != dtype) ++g;
    if (g == dtypes.size()) {
      dtypes.push_back(dtype);
      groups.emplace_back();
    }
    groups[g].push_back(i);
  }
  return groups;
}

torch::Tensor pack(const std::vector<torch::Tensor>& tensors, const std::vector<size_t>& indices) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> flat_parts;
  flat_parts.reserve(indices.size());
  for (const size_t i : indices) flat_parts.push_back(tensors[i].reshape({-1}));
  return torch::cat(flat_parts);
}

void unpack(const torch::Tensor& flat, std::vector<torch::Tensor>& tensors, const std::vector<size_t>& indices) {
  torch::NoGradGuard no_grad;
  int64_t offset = 0;
  for (const size_t i : indices) {
    auto& tensor = tensors[i];
    const int64_t count = tensor.numel();
    tensor.copy_(flat.narrow(0, offset, count).view(tensor.sizes()));
    offset += count;
  }
}

}  // namespace mmoe::distributed
