#pragma once
// Collectives over NCCL on CUDA tensors (built only with MMOE_HAVE_NCCL; runs only on GPU nodes).
//
// Rank 0 creates the ncclUniqueId and broadcasts it over MPI; each rank then joins one NCCL
// communicator for the job on device `device` (the launcher's local rank) with its own CUDA
// stream. That stream is created blocking (not cudaStreamNonBlocking), so it is ordered after
// work LibTorch queued on the legacy default stream. Lists of tensors are one ncclGroupStart /
// ncclGroupEnd. Every call then polls the stream (cudaStreamQuery) and ncclCommGetAsyncError
// until done or distributed.timeout_s: a timeout aborts the NCCL communicator (ncclCommAbort)
// and throws CollectiveTimeout naming the ranks that had not joined (the MPI arrival heartbeat).
// Tensors must be contiguous CUDA tensors on `device`: float32, float64, int64, int32, uint8.
#include <memory>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>
#include <nccl.h>

#include "distributed/communicator.h"
#include "distributed/mpi_communicator.h"

namespace mmoe::distributed {

class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(std::unique_ptr<MpiCommunicator> mpi, int device);
  ~NcclCommunicator() override;

  int64_t rank() const override { return mpi_->rank(); }
  int64_t world_size() const override { return mpi_->world_size(); }
  void set_interrupt_flag(const std::atomic<bool>* flag) override { mpi_->set_interrupt_flag(flag); }
  const char* backend_name() const override { return "nccl"; }

  void all_reduce(std::vector<torch::Tensor>& tensors, ReduceOp op) override;
  std::unique_ptr<PendingReduce> all_reduce_async(torch::Tensor flat, ReduceOp op) override;
  void broadcast(std::vector<torch::Tensor>& tensors, int64_t root) override;
  torch::Tensor all_gather(const torch::Tensor& tensor) override;
  void barrier() override;
  // ncclCommAbort, then MPI_Abort (ends every rank).
  void abort(const std::string& reason) noexcept override;

  // Polls the stream until `event` completed (CollectiveTimeout / CollectiveError after ncclCommAbort).
  void wait(cudaEvent_t event, const char* collective, int64_t seq);

 private:
  void check_nccl(ncclResult_t status, const char* collective, int64_t seq);
  void check_cuda(cudaError_t status, const char* collective, int64_t seq);
  void check_tensor(const torch::Tensor& tensor, const char* collective) const;
  cudaEvent_t record(const char* collective, int64_t seq);

  std::unique_ptr<MpiCommunicator> mpi_;
  int device_ = 0;
  ncclComm_t comm_ = nullptr;
  cudaStream_t stream_ = nullptr;
  bool aborted_ = false;
};

}  // namespace mmoe::distributed
