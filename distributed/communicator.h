#pragma once
// Collective operations between the processes of one training job. The trainer talks only to
// this interface; backends: local (one process, this file's LocalCommunicator), and MPI / NCCL
// (distributed issue). Every rank must call the same collectives in the same order with tensors
// of the same shapes and dtypes.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace mmoe::distributed {

enum class ReduceOp { kSum, kAverage, kMax };

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int64_t rank() const = 0;
  virtual int64_t world_size() const = 0;
  virtual const char* backend_name() const = 0;
  bool is_root() const { return rank() == 0; }

  // In place on every tensor.
  virtual void all_reduce(std::vector<torch::Tensor>& tensors, ReduceOp op) = 0;
  // In place: every rank ends with root's values.
  virtual void broadcast(std::vector<torch::Tensor>& tensors, int64_t root) = 0;
  // tensor [...] -> [world_size, ...], in rank order.
  virtual torch::Tensor all_gather(const torch::Tensor& tensor) = 0;
  virtual void barrier() = 0;
  // Tears the job down so no other rank waits forever; used when this rank fails.
  virtual void abort(const std::string& reason) noexcept = 0;
};

// World size 1: every collective is the identity.
class LocalCommunicator final : public Communicator {
 public:
  int64_t rank() const override { return 0; }
  int64_t world_size() const override { return 1; }
  const char* backend_name() const override { return "local"; }
  void all_reduce(std::vector<torch::Tensor>& tensors, ReduceOp op) override;
  void broadcast(std::vector<torch::Tensor>& tensors, int64_t root) override;
  torch::Tensor all_gather(const torch::Tensor& tensor) override;
  void barrier() override {}
  void abort(const std::string& reason) noexcept override {}
};

}  // namespace mmoe::distributed
