// NcclCommunicator on GPU nodes (labels gpu and mpi): run under mpirun with one rank per GPU.
// Skips with the reason when this node has no CUDA device or LibTorch was built without CUDA.
#include <gtest/gtest.h>

#include <cuda_runtime_api.h>

#include "distributed/nccl_communicator.h"
#include "tests/distributed/mpi_world.h"

namespace mmoe::distributed {
namespace {

std::unique_ptr<NcclCommunicator> nccl_world_or_skip_reason(std::string& reason) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    reason = "no CUDA device on this node (cudaGetDeviceCount)";
    return nullptr;
  }
  if (!torch::cuda::is_available()) {
    reason = "this LibTorch has no CUDA support, so there are no CUDA tensors to reduce";
    return nullptr;
  }
  auto mpi = testing::mpi_world();
  const int local_rank = static_cast<int>(mpi->rank());
  return std::make_unique<NcclCommunicator>(std::move(mpi), local_rank);
}

TEST(NcclCollectives, AllReduceBroadcastAllGatherOnTheGpu) {
  std::string reason;
  auto world = nccl_world_or_skip_reason(reason);
  if (!world) GTEST_SKIP() << reason;
  const int64_t n = world->world_size();
  const auto device = torch::Device(torch::kCUDA, static_cast<int>(world->rank() % torch::cuda::device_count()));
  const double c = static_cast<double>(world->rank() + 1);
  // Rank r contributes r + 1: sum N(N+1)/2, average (N+1)/2, max N.
  std::vector<torch::Tensor> tensors = {torch::full({3}, c, torch::TensorOptions().device(device)),
                                        torch::full({2}, c, torch::TensorOptions().dtype(torch::kInt64).device(device))};
  world->all_reduce(tensors, ReduceOp::kSum);
  EXPECT_TRUE(torch::equal(tensors[0].cpu(), torch::full({3}, static_cast<double>(n * (n + 1) / 2))));
  EXPECT_TRUE(torch::equal(tensors[1].cpu(), torch::full({2}, n * (n + 1) / 2, torch::kInt64)));
  auto flat = torch::full({4}, c, torch::TensorOptions().dtype(torch::kFloat64).device(device));
  world->all_reduce_async(flat, ReduceOp::kAverage)->wait();
  EXPECT_TRUE(torch::allclose(flat.cpu(), torch::full({4}, (n + 1) / 2.0, torch::kFloat64)));

  std::vector<torch::Tensor> broadcast = {torch::full({2}, c, torch::TensorOptions().device(device))};
  world->broadcast(broadcast, n - 1);
  EXPECT_TRUE(torch::equal(broadcast[0].cpu(), torch::full({2}, static_cast<double>(n))));
  const auto gathered = world->all_gather(torch::full({2}, c, torch::TensorOptions().device(device))).cpu();
  for (int64_t r = 0; r < n; ++r) EXPECT_TRUE(torch::equal(gathered[r], torch::full({2}, r + 1.0)));
  world->barrier();
}

}  // namespace
}  // namespace mmoe::distributed
