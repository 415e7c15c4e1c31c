#include "distributed/host_staging.h"

#include <string>

#include "distributed/collective_error.h"

#if MMOE_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

namespace mmoe::distributed {

#if MMOE_HAVE_CUDA
namespace {

void check_cuda_copy(cudaError_t status, const char* collective) {
  if (status != cudaSuccess) {
    throw CollectiveError(std::string(collective) + ": staging through pinned host memory failed: " +
                          cudaGetErrorString(status));
  }
}

}  // namespace
#endif

torch::Tensor stage_to_host(const torch::Tensor& flat, const char* collective) {
  if (!flat.is_cuda()) return flat;
#if MMOE_HAVE_CUDA
  const size_t bytes = static_cast<size_t>(flat.numel()) * flat.element_size();
  void* pinned = nullptr;
  check_cuda_copy(cudaMallocHost(&pinned, bytes > 0 ? bytes : 1), collective);
  auto host = torch::from_blob(pinned, {flat.numel()}, [](void* p) { cudaFreeHost(p); },
                               torch::TensorOptions().dtype(flat.scalar_type()));
  check_cuda_copy(cudaMemcpy(pinned, flat.data_ptr(), bytes, cudaMemcpyDeviceToHost), collective);
  return host;
#else
  throw DistributedError(std::string(collective) +
                         ": got a CUDA tensor but mmoe was built without CUDA; rebuild with -DMMOE_WITH_CUDA=ON");
#endif
}

void unstage_from_host(const torch::Tensor& host, torch::Tensor& flat) {
  if (!flat.is_cuda()) return;
#if MMOE_HAVE_CUDA
  const size_t bytes = static_cast<size_t>(flat.numel()) * flat.element_size();
  check_cuda_copy(cudaMemcpy(flat.data_ptr(), host.data_ptr(), bytes, cudaMemcpyHostToDevice), "unstage");
#endif
}

}  // namespace mmoe::distributed
