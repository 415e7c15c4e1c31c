#pragma once
// Collectives over MPI (OpenMPI, MPICH) for CPU tensors; CUDA tensors are staged through pinned
// host memory (host_staging.h). float32, float64, int64, int32 and uint8.
//
// Each blocking collective is the nonblocking MPI variant (MPI_Iallreduce, MPI_Ibcast,
// MPI_Iallgather, MPI_Ibarrier) polled with MPI_Test until it completes or `timeout` passes:
// then CollectiveTimeout names the collective and the ranks that had not joined it
// (arrival_tracker.h), and the communicator is broken: every later call throws CollectiveError
// and the caller must abort() the job. Errors come back from MPI (MPI_ERRORS_RETURN on a
// private duplicate of MPI_COMM_WORLD) as CollectiveError naming the collective.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <mpi.h>

#include "distributed/arrival_tracker.h"
#include "distributed/collective_error.h"
#include "distributed/communicator.h"
#include "distributed/mpi_context.h"

namespace mmoe::distributed {

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(std::shared_ptr<MpiContext> context, std::chrono::duration<double> timeout);
  ~MpiCommunicator() override;

  int64_t rank() const override { return rank_; }
  int64_t world_size() const override { return world_size_; }
  const char* backend_name() const override { return "mpi"; }

  void all_reduce(std::vector<torch::Tensor>& tensors, ReduceOp op) override;
  std::unique_ptr<PendingReduce> all_reduce_async(torch::Tensor flat, ReduceOp op) override;
  void broadcast(std::vector<torch::Tensor>& tensors, int64_t root) override;
  torch::Tensor all_gather(const torch::Tensor& tensor) override;
  void barrier() override;
  // MPI_Abort on MPI_COMM_WORLD (ends every rank, does not return) when the world has several
  // processes; returns when it has one.
  void abort(const std::string& reason) noexcept override;
  void set_interrupt_flag(const std::atomic<bool>* flag) override { interrupt_ = flag; }
  // For the wait loops (here and NCCL's): true once the stop flag has been up for the grace;
  // `raised_at` keeps when this wait first saw it.
  bool interrupt_expired(std::chrono::steady_clock::time_point& raised_at) const;
  // The CollectiveInterrupted for collective `seq`, naming the missing ranks; marks broken.
  CollectiveInterrupted interrupted_error(const char* collective, int64_t seq);

  // For the NCCL backend, which bootstraps over MPI and reuses the arrival heartbeat.
  MPI_Comm comm() const { return comm_; }
  std::chrono::duration<double> timeout() const { return timeout_; }
  const std::atomic<bool>* interrupt_flag() const { return interrupt_; }
  // Numbers the next collective, announces this rank's arrival, and returns the number.
  int64_t begin_collective(const char* collective);
  // The CollectiveTimeout for collective `seq`, naming the ranks not yet arrived; marks broken.
  CollectiveTimeout timeout_error(const char* collective, int64_t seq);
  // Polls `request` to completion (CollectiveError / CollectiveTimeout). `buffers` are the
  // memory MPI writes into: kept alive past a timeout, since MPI may still write to them.
  void wait(MPI_Request& request, const char* collective, int64_t seq, const std::vector<torch::Tensor>& buffers);
  // Keeps the buffers of a collective that will never be waited for alive until destruction.
  void abandon(const std::vector<torch::Tensor>& buffers) { abandoned_.insert(abandoned_.end(), buffers.begin(), buffers.end()); }
  // Throws CollectiveError when `status` is not MPI_SUCCESS.
  void check(int status, const char* collective, int64_t seq);

 private:
  void reduce_group(std::vector<torch::Tensor>& tensors, const std::vector<size_t>& indices, ReduceOp op);

  std::shared_ptr<MpiContext> context_;
  std::chrono::duration<double> timeout_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int64_t rank_ = 0;
  int64_t world_size_ = 1;
  int64_t next_seq_ = 0;
  bool broken_ = false;
  std::string broken_reason_;
  std::unique_ptr<ArrivalTracker> arrivals_;
  std::vector<torch::Tensor> abandoned_;  // buffers of collectives that timed out
  const std::atomic<bool>* interrupt_ = nullptr;
};

}  // namespace mmoe::distributed
