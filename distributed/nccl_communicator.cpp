#include "distributed/nccl_communicator.h"

#include <chrono>
#include <thread>

#include "distributed/collective_error.h"
#include "distributed/mpi_datatype.h"
#include "distributed/tensor_packing.h"

namespace mmoe::distributed {
namespace {

ncclDataType_t nccl_datatype(torch::ScalarType dtype, const char* collective) {
  switch (dtype) {
    case torch::kFloat32: return ncclFloat32;
    case torch::kFloat64: return ncclFloat64;
    case torch::kInt64: return ncclInt64;
    case torch::kInt32: return ncclInt32;
    case torch::kUInt8: return ncclUint8;
    default: break;
  }
  throw DistributedError(std::string(collective) + ": dtype " + c10::toString(dtype) +
                         " is not supported; convert to float32, float64, int64, int32 or uint8");
}

ncclRedOp_t nccl_op(ReduceOp op) { return op == ReduceOp::kMax ? ncclMax : ncclSum; }

class NcclPendingReduce final : public PendingReduce {
 public:
  NcclPendingReduce(NcclCommunicator& owner, torch::Tensor flat, ReduceOp op, int64_t seq, cudaEvent_t done)
      : owner_(owner), flat_(std::move(flat)), op_(op), seq_(seq), done_(done) {}
  ~NcclPendingReduce() override { cudaEventDestroy(done_); }
  bool test() override { return waited_ || cudaEventQuery(done_) == cudaSuccess; }
  void wait() override {
    if (waited_) return;
    owner_.wait(done_, "all_reduce_async", seq_);
    waited_ = true;
    if (op_ == ReduceOp::kAverage) divide_for_average(flat_, owner_.world_size());
  }

 private:
  NcclCommunicator& owner_;
  torch::Tensor flat_;
  ReduceOp op_;
  int64_t seq_;
  cudaEvent_t done_;
  bool waited_ = false;
};

}  // namespace

NcclCommunicator::NcclCommunicator(std::unique_ptr<MpiCommunicator> mpi, int device)
    : mpi_(std::move(mpi)), device_(device) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    throw LaunchError("distributed.backend 'nccl': rank " + std::to_string(mpi_->rank()) +
                      " sees no CUDA device; use distributed.backend mpi on CPU nodes");
  }
  device_ = device % devices;
  check_cuda(cudaSetDevice(device_), "nccl_init", -1);
  ncclUniqueId id;
  if (mpi_->rank() == 0) check_nccl(ncclGetUniqueId(&id), "nccl_init", -1);
  auto id_bytes = torch::from_blob(&id, {static_cast<int64_t>(sizeof(id))}, torch::kUInt8);
  std::vector<torch::Tensor> bootstrap = {id_bytes};
  mpi_->broadcast(bootstrap, 0);
  check_cuda(cudaStreamCreate(&stream_), "nccl_init", -1);
  check_nccl(ncclCommInitRank(&comm_, static_cast<int>(mpi_->world_size()), id, static_cast<int>(mpi_->rank())),
             "nccl_init", -1);
}

NcclCommunicator::~NcclCommunicator() {
  if (comm_ != nullptr && !aborted_) ncclCommDestroy(comm_);
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

void NcclCommunicator::check_nccl(ncclResult_t status, const char* collective, int64_t seq) {
  if (status == ncclSuccess) return;
  if (comm_ != nullptr && !aborted_) {
    ncclCommAbort(comm_);
    aborted_ = true;
  }
  throw CollectiveError(std::string(collective) + " #" + std::to_string(seq) + " failed on rank " +
                        std::to_string(rank()) + " (NCCL): " + ncclGetErrorString(status) +
                        "; set NCCL_DEBUG=WARN for details");
}

void NcclCommunicator::check_cuda(cudaError_t status, const char* collective, int64_t seq) {
  if (status == cudaSuccess) return;
  throw CollectiveError(std::string(collective) + " #" + std::to_string(seq) + " failed on rank " +
                        std::to_string(rank()) + " (CUDA): " + cudaGetErrorString(status));
}

void NcclCommunicator::check_tensor(const torch::Tensor& tensor, const char* collective) const {
  if (!tensor.is_cuda() || !tensor.is_contiguous()) {
    throw DistributedError(std::string(collective) +
                           ": the nccl backend needs contiguous CUDA tensors; use distributed.backend mpi for CPU "
                           "training");
  }
}

cudaEvent_t NcclCommunicator::record(const char* collective, int64_t seq) {
  cudaEvent_t event = nullptr;
  check_cuda(cudaEventCreateWithFlags(&event, cudaEventDisableTiming), collective, seq);
  check_cuda(cudaEventRecord(event, stream_), collective, seq);
  return event;
}

void NcclCommunicator::wait(cudaEvent_t event, const char* collective, int64_t seq) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(mpi_->timeout());
  Clock::time_point interrupt_seen{};
  for (;;) {
    const auto status = cudaEventQuery(event);
    if (status == cudaSuccess) return;
    if (status != cudaErrorNotReady) check_cuda(status, collective, seq);
    ncclResult_t async_error = ncclSuccess;
    check_nccl(ncclCommGetAsyncError(comm_, &async_error), collective, seq);
    check_nccl(async_error, collective, seq);
    if (Clock::now() > deadline) {
      ncclCommAbort(comm_);
      aborted_ = true;
      throw mpi_->timeout_error(collective, seq);
    }
    if (mpi_->interrupt_expired(interrupt_seen)) {
      ncclCommAbort(comm_);
      aborted_ = true;
      throw mpi_->interrupted_error(collective, seq);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

void NcclCommunicator::all_reduce(std::vector<torch::Tensor>& tensors, ReduceOp op) {
  for (const auto& tensor : tensors) check_tensor(tensor, "all_reduce");
  const int64_t seq = mpi_->begin_collective("all_reduce");
  check_nccl(ncclGroupStart(), "all_reduce", seq);
  for (auto& tensor : tensors) {
    check_nccl(ncclAllReduce(tensor.data_ptr(), tensor.data_ptr(), static_cast<size_t>(tensor.numel()),
                             nccl_datatype(tensor.scalar_type(), "all_reduce"), nccl_op(op), comm_, stream_),
               "all_reduce", seq);
  }
  check_nccl(ncclGroupEnd(), "all_reduce", seq);
  const auto event = record("all_reduce", seq);
  try {
    wait(event, "all_reduce", seq);
  } catch (...) {
    cudaEventDestroy(event);
    throw;
  }
  cudaEventDestroy(event);
  if (op == ReduceOp::kAverage) {
    for (auto& tensor : tensors) divide_for_average(tensor, world_size());
  }
}

std::unique_ptr<PendingReduce> NcclCommunicator::all_reduce_async(torch::Tensor flat, ReduceOp op) {
  check_tensor(flat, "all_reduce_async");
  const int64_t seq = mpi_->begin_collective("all_reduce_async");
  check_nccl(ncclAllReduce(flat.data_ptr(), flat.data_ptr(), static_cast<size_t>(flat.numel()),
                           nccl_datatype(flat.scalar_type(), "all_reduce_async"), nccl_op(op), comm_, stream_),
             "all_reduce_async", seq);
  return std::make_unique<NcclPendingReduce>(*this, flat, op, seq, record("all_reduce_async", seq));
}

void NcclCommunicator::broadcast(std::vector<torch::Tensor>& tensors, int64_t root) {
  if (root < 0 || root >= world_size()) {
    throw DistributedError("broadcast: root " + std::to_string(root) + " is not a rank of a world of size " +
                           std::to_string(world_size()));
  }
  for (const auto& tensor : tensors) check_tensor(tensor, "broadcast");
  const int64_t seq = mpi_->begin_collective("broadcast");
  check_nccl(ncclGroupStart(), "broadcast", seq);
  for (auto& tensor : tensors) {
    check_nccl(ncclBroadcast(tensor.data_ptr(), tensor.data_ptr(), static_cast<size_t>(tensor.numel()),
                             nccl_datatype(tensor.scalar_type(), "broadcast"), static_cast<int>(root), comm_, stream_),
               "broadcast", seq);
  }
  check_nccl(ncclGroupEnd(), "broadcast", seq);
  const auto event = record("broadcast", seq);
  try {
    wait(event, "broadcast", seq);
  } catch (...) {
    cudaEventDestroy(event);
    throw;
  }
  cudaEventDestroy(event);
}

torch::Tensor NcclCommunicator::all_gather(const torch::Tensor& tensor) {
  const auto mine = tensor.contiguous();
  check_tensor(mine, "all_gather");
  std::vector<int64_t> gathered_shape = {world_size()};
  gathered_shape.insert(gathered_shape.end(), tensor.sizes().begin(), tensor.sizes().end());
  auto gathered = torch::empty(gathered_shape, mine.options());
  const int64_t seq = mpi_->begin_collective("all_gather");
  check_nccl(ncclAllGather(mine.data_ptr(), gathered.data_ptr(), static_cast<size_t>(mine.numel()),
                           nccl_datatype(mine.scalar_type(), "all_gather"), comm_, stream_),
             "all_gather", seq);
  const auto event = record("all_gather", seq);
  try {
    wait(event, "all_gather", seq);
  } catch (...) {
    cudaEventDestroy(event);
    throw;
  }
  cudaEventDestroy(event);
  return gathered;
}

void NcclCommunicator::barrier() { mpi_->barrier(); }

void NcclCommunicator::abort(const std::string& reason) noexcept {
  if (comm_ != nullptr && !aborted_) {
    ncclCommAbort(comm_);
    aborted_ = true;
  }
  mpi_->abort(reason);
}

}  // namespace mmoe::distributed
