#pragma once
// Collective operations between the processes of one training job. The trainer talks only to
// this interface; backends: local (one process, this file's LocalCommunicator), and MPI / NCCL
// (mpi_communicator.h, nccl_communicator.h). Every rank must call the same collectives in the same order with tensors
// of the same shapes and dtypes.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace mmoe::distributed {

enum class ReduceOp { kSum, kAverage, kMax };
const char* to_string(ReduceOp op);

// An all-reduce started by Communicator::all_reduce_async and not yet waited for. The tensor it
// was given must stay untouched until wait() returns; then it holds the reduced values.
class PendingReduce {
 public:
  virtual ~PendingReduce() = default;
  // Drives progress without blocking; true once the reduction has completed (wait() still
  // applies the average). Cheap: call it between other work to overlap communication.
  virtual bool test() = 0;
  // Blocks until complete or distributed.timeout_s passed (CollectiveTimeout); applies kAverage.
  virtual void wait() = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int64_t rank() const = 0;
  virtual int64_t world_size() const = 0;
  virtual const char* backend_name() const = 0;
  bool is_root() const { return rank() == 0; }

  // In place on every tensor.
  virtual void all_reduce(std::vector<torch::Tensor>& tensors, ReduceOp op) = 0;
  // Starts an in-place all-reduce of one contiguous tensor and returns at once; every rank must
  // start the same async reductions in the same order. kAverage of integer tensors truncates.
  virtual std::unique_ptr<PendingReduce> all_reduce_async(torch::Tensor flat, ReduceOp op) = 0;
  // In place: every rank ends with root's values.
  virtual void broadcast(std::vector<torch::Tensor>& tensors, int64_t root) = 0;
  // tensor [...] -> [world_size, ...], in rank order.
  virtual torch::Tensor all_gather(const torch::Tensor& tensor) = 0;
  virtual void barrier() = 0;
  // Tears the job down so no other rank waits forever; used when this rank fails. With a world
  // of several processes it does not return (MPI_Abort ends every rank); with a world of one it
  // returns and the caller rethrows. See abort_on_failure.h.
  virtual void abort(const std::string& reason) noexcept = 0;

  // The process's stop flag (raised by SIGTERM / SIGINT; may be null). A launcher that tears the
  // job down after a rank died (mpirun: SIGTERM to the others, SIGKILL one second later) leaves
  // the survivors waiting in a collective that cannot complete: once the flag is up and the
  // collective has still not completed kInterruptGrace later, it throws CollectiveInterrupted
  // naming the missing ranks, so the run can still be marked failed. Collectives whose ranks
  // are all alive complete well within the grace, so an agreed stop (trainer.h) is unaffected.
  // The local backend ignores it.
  virtual void set_interrupt_flag(const std::atomic<bool>* flag) { (void)flag; }
  static constexpr double kInterruptGraceSeconds = 0.3;
};

// World size 1: every collective is the identity.
class LocalCommunicator final : public Communicator {
 public:
  int64_t rank() const override { return 0; }
  int64_t world_size() const override { return 1; }
  const char* backend_name() const override { return "local"; }
  void all_reduce(std::vector<torch::Tensor>& tensors, ReduceOp op) override;
  std::unique_ptr<PendingReduce> all_reduce_async(torch::Tensor flat, ReduceOp op) override;
  void broadcast(std::vector<torch::Tensor>& tensors, int64_t root) override;
  torch::Tensor all_gather(const torch::Tensor& tensor) override;
  void barrier() override {}
  void abort(const std::string& reason) noexcept override {}
};

}  // namespace mmoe::distributed
