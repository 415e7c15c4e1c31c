#include "distributed/mpi_communicator.h"

#include <sstream>
#include <thread>

#include "distributed/collective_error.h"
#include "distributed/host_staging.h"
#include "distributed/mpi_datatype.h"
#include "distributed/tensor_packing.h"

namespace mmoe::distributed {
namespace {

using Clock = std::chrono::steady_clock;

// The in-flight MPI_Iallreduce of one flat tensor (the gradient reducer's buckets).
class MpiPendingReduce final : public PendingReduce {
 public:
  MpiPendingReduce(MpiCommunicator& owner, torch::Tensor flat, torch::Tensor host, ReduceOp op, int64_t seq)
      : owner_(owner), flat_(std::move(flat)), host_(std::move(host)), op_(op), seq_(seq) {}

  ~MpiPendingReduce() override {
    // Never waited (an exception unwound past it; the job is about to abort): MPI may still write
    // into the buffers, so the communicator keeps them alive.
    if (request_ != MPI_REQUEST_NULL) owner_.abandon({flat_, host_});
  }

  MPI_Request* request() { return &request_; }

  bool test() override {
    if (request_ == MPI_REQUEST_NULL) return true;
    int done = 0;
    owner_.check(MPI_Test(&request_, &done, MPI_STATUS_IGNORE), "all_reduce_async", seq_);
    return done != 0;
  }

  void wait() override {
    if (request_ != MPI_REQUEST_NULL) owner_.wait(request_, "all_reduce_async", seq_, {flat_, host_});
    if (waited_) return;
    waited_ = true;
    unstage_from_host(host_, flat_);
    if (op_ == ReduceOp::kAverage) divide_for_average(flat_, owner_.world_size());
  }

 private:
  MpiCommunicator& owner_;
  torch::Tensor flat_;
  torch::Tensor host_;  // flat_ itself, or its pinned host copy
  ReduceOp op_;
  int64_t seq_;
  MPI_Request request_ = MPI_REQUEST_NULL;
  bool waited_ = false;
};

}  // namespace

MpiCommunicator::MpiCommunicator(std::shared_ptr<MpiContext> context, std::chrono::duration<double> timeout)
    : context_(std::move(context)), timeout_(timeout) {
  MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  int rank = 0, size = 1;
  MPI_Comm_rank(comm_, &rank);
  MPI_Comm_size(comm_, &size);
  rank_ = rank;
  world_size_ = size;
  arrivals_ = std::make_unique<ArrivalTracker>(comm_);
}

MpiCommunicator::~MpiCommunicator() {
  arrivals_.reset();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && !broken_) MPI_Comm_free(&comm_);
}

int64_t MpiCommunicator::begin_collective(const char* collective) {
  if (broken_) {
    throw CollectiveError(std::string(collective) + " on rank " + std::to_string(rank_) +
                          ": the communicator is broken by an earlier failure (" + broken_reason_ +
                          "); abort the job instead of calling more collectives");
  }
  const int64_t seq = next_seq_++;
  arrivals_->announce(seq);
  return seq;
}

void MpiCommunicator::check(int status, const char* collective, int64_t seq) {
  if (status == MPI_SUCCESS) return;
  broken_ = true;
  broken_reason_ = std::string(collective) + " #" + std::to_string(seq) + " failed";
  throw CollectiveError(std::string(collective) + " #" + std::to_string(seq) + " failed on rank " +
                        std::to_string(rank_) + " of " + std::to_string(world_size_) + ": " +
                        mpi_error_text(status) + "; check that every rank passes tensors of the same shapes and dtypes");
}

namespace {

std::string missing_ranks_text(const std::vector<int>& missing) {
  if (missing.empty()) return "every rank joined it, so the transport itself is stuck";
  std::string who = missing.size() == 1 ? "rank " : "ranks ";
  for (size_t i = 0; i < missing.size(); ++i) who += (i > 0 ? ", " : "") + std::to_string(missing[i]);
  return who + (missing.size() == 1 ? " has not joined it" : " have not joined it");
}

}  // namespace

bool MpiCommunicator::interrupt_expired(std::chrono::steady_clock::time_point& raised_at) const {
  if (interrupt_ == nullptr || !interrupt_->load()) return false;
  const auto now = std::chrono::steady_clock::now();
  if (raised_at == std::chrono::steady_clock::time_point{}) raised_at = now;
  return now - raised_at > std::chrono::duration<double>(kInterruptGraceSeconds);
}

CollectiveInterrupted MpiCommunicator::interrupted_error(const char* collective, int64_t seq) {
  broken_ = true;
  broken_reason_ = std::string(collective) + " #" + std::to_string(seq) + " was interrupted";
  const auto missing = arrivals_->missing(seq);
  const std::string who = missing.empty() ? "every rank had joined it, yet it cannot complete: a rank died inside it"
                                          : missing_ranks_text(missing) + "; did that rank die?";
  return CollectiveInterrupted(std::string(collective) + " #" + std::to_string(seq) + " on rank " +
                               std::to_string(rank_) + " of " + std::to_string(world_size_) +
                               " was interrupted by a stop signal while waiting (the launcher is tearing the job "
                               "down): " + who);
}

CollectiveTimeout MpiCommunicator::timeout_error(const char* collective, int64_t seq) {
  broken_ = true;
  broken_reason_ = std::string(collective) + " #" + std::to_string(seq) + " timed out";
  const auto who = missing_ranks_text(arrivals_->missing(seq));
  std::ostringstream seconds;
  seconds << timeout_.count();
  return CollectiveTimeout(std::string(collective) + " #" + std::to_string(seq) + " did not complete within " +
                           seconds.str() + " s (distributed.timeout_s) on rank " +
                           std::to_string(rank_) + " of " + std::to_string(world_size_) + ": " + who +
                           "; look at that rank's log, or raise distributed.timeout_s if a step is legitimately "
                           "that slow");
}

void MpiCommunicator::wait(MPI_Request& request, const char* collective, int64_t seq,
                           const std::vector<torch::Tensor>& buffers) {
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout_);
  auto pause = std::chrono::microseconds(0);
  Clock::time_point interrupt_seen{};
  for (;;) {
    int done = 0;
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), collective, seq);
    if (done) return;
    if (Clock::now() > deadline) {
      abandoned_.insert(abandoned_.end(), buffers.begin(), buffers.end());
      throw timeout_error(collective, seq);
    }
    if (interrupt_expired(interrupt_seen)) {
      abandoned_.insert(abandoned_.end(), buffers.begin(), buffers.end());
      throw interrupted_error(collective, seq);
    }
    // Spin briefly for latency, then back off to at most 1 ms so waiting ranks leave the cores
    // to the ranks still computing.
    if (pause.count() > 0) std::this_thread::sleep_for(pause);
    pause = std::min(std::chrono::microseconds(1000), pause + std::chrono::microseconds(20));
  }
}

void MpiCommunicator::reduce_group(std::vector<torch::Tensor>& tensors, const std::vector<size_t>& indices,
                                   ReduceOp op) {
  const auto dtype = mpi_datatype(tensors[indices.front()].scalar_type(), "all_reduce");
  const bool in_place = indices.size() == 1 && tensors[indices.front()].is_contiguous() &&
                        !tensors[indices.front()].is_cuda();
  auto flat = in_place ? tensors[indices.front()] : pack(tensors, indices);
  auto host = stage_to_host(flat, "all_reduce");
  const int64_t seq = begin_collective("all_reduce");
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Iallreduce(MPI_IN_PLACE, host.data_ptr(), static_cast<int>(host.numel()), dtype,
                       mpi_op(op == ReduceOp::kMax), comm_, &request),
        "all_reduce", seq);
  wait(request, "all_reduce", seq, {host});
  unstage_from_host(host, flat);
  if (op == ReduceOp::kAverage) divide_for_average(flat, world_size_);
  if (!in_place) unpack(flat, tensors, indices);
}

void MpiCommunicator::all_reduce(std::vector<torch::Tensor>& tensors, ReduceOp op) {
  for (const auto& group : group_by_dtype(tensors)) reduce_group(tensors, group, op);
}

std::unique_ptr<PendingReduce> MpiCommunicator::all_reduce_async(torch::Tensor flat, ReduceOp op) {
  if (!flat.is_contiguous()) {
    throw DistributedError("all_reduce_async: the tensor must be contiguous (a flat bucket buffer)");
  }
  const auto dtype = mpi_datatype(flat.scalar_type(), "all_reduce_async");
  auto host = stage_to_host(flat, "all_reduce_async");
  const int64_t seq = begin_collective("all_reduce_async");
  auto pending = std::make_unique<MpiPendingReduce>(*this, flat, host, op, seq);
  check(MPI_Iallreduce(MPI_IN_PLACE, host.data_ptr(), static_cast<int>(host.numel()), dtype,
                       mpi_op(op == ReduceOp::kMax), comm_, pending->request()),
        "all_reduce_async", seq);
  return pending;
}

void MpiCommunicator::broadcast(std::vector<torch::Tensor>& tensors, int64_t root) {
  if (root < 0 || root >= world_size_) {
    throw DistributedError("broadcast: root " + std::to_string(root) + " is not a rank of a world of size " +
                           std::to_string(world_size_));
  }
  for (const auto& group : group_by_dtype(tensors)) {
    const auto dtype = mpi_datatype(tensors[group.front()].scalar_type(), "broadcast");
    auto flat = pack(tensors, group);
    auto host = stage_to_host(flat, "broadcast");
    const int64_t seq = begin_collective("broadcast");
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Ibcast(host.data_ptr(), static_cast<int>(host.numel()), dtype, static_cast<int>(root), comm_, &request),
          "broadcast", seq);
    wait(request, "broadcast", seq, {host});
    if (rank_ != root) {
      unstage_from_host(host, flat);
      unpack(flat, tensors, group);
    }
  }
}

torch::Tensor MpiCommunicator::all_gather(const torch::Tensor& tensor) {
  const auto dtype = mpi_datatype(tensor.scalar_type(), "all_gather");
  auto mine = stage_to_host(tensor.contiguous(), "all_gather");
  std::vector<int64_t> gathered_shape = {world_size_};
  gathered_shape.insert(gathered_shape.end(), tensor.sizes().begin(), tensor.sizes().end());
  auto gathered = torch::empty(gathered_shape, torch::TensorOptions().dtype(tensor.scalar_type()));
  const int64_t seq = begin_collective("all_gather");
  MPI_Request request = MPI_REQUEST_NULL;
  const int count = static_cast<int>(mine.numel());
  check(MPI_Iallgather(mine.data_ptr(), count, dtype, gathered.data_ptr(), count, dtype, comm_, &request),
        "all_gather", seq);
  wait(request, "all_gather", seq, {mine, gathered});
  return tensor.is_cuda() ? gathered.to(tensor.device()) : gathered;
}

void MpiCommunicator::barrier() {
  const int64_t seq = begin_collective("barrier");
  MPI_Request request = MPI_REQUEST_NULL;
  check(MPI_Ibarrier(comm_, &request), "barrier", seq);
  wait(request, "barrier", seq, {});
}

void MpiCommunicator::abort(const std::string& reason) noexcept {
  if (world_size_ == 1) return;
  MPI_Abort(MPI_COMM_WORLD, 1);
}

}  // namespace mmoe::distributed
