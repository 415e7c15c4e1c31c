#pragma once
// Data-parallel gradient averaging with communication overlapped with backward.
//
// How the trainer uses it (one reducer per model, built after the model is on its device):
//
//   auto communicator = make_communicator(backend, world, device.is_cuda(),
//                                         config.distributed.timeout_s);   // four-argument form
//   // The trainer's masked losses divide by the GLOBAL labelled-row counts, so sum:
//   GradientReducer reducer(model->parameters(), *communicator,
//                           {config.distributed.bucket_mb, ReduceOp::kSum});
//   reducer.broadcast_parameters();        // once, before the first step: rank 0's weights
//   for each step:
//     optimizer.zero_grad();
//     loss.backward();                     // hooks start each bucket's all-reduce as it fills
//     reducer.finalize();                  // waits, writes the reduced .grad of every parameter
//     optimizer.step();
//   // and the whole run inside run_or_abort(*communicator, ...) (abort_on_failure.h).
//
// Reduction (GradientReducerOptions::op): kAverage (default) divides the summed gradients by
// the world size: right when each rank's loss is the mean over its own rows and every rank has
// the same number of rows. kSum: right when each rank's loss is already normalised by the
// global batch (e.g. the trainer's global loss denominators), so the sum is the global gradient.
//
// Buckets (bucket_plan.h): parameters in reverse registration order, packed into buckets of at
// most bucket_mb MiB each, one dtype per bucket; a parameter is never split. Each bucket owns a
// flat buffer allocated once here. A post-hook on every parameter's gradient accumulator marks
// it ready once its .grad is accumulated; when every parameter of a bucket is ready, its
// gradients are copied into the flat buffer and an asynchronous all-reduce starts
// (Communicator::all_reduce_async: MPI_Iallreduce, or the NCCL stream; nothing for the local
// backend), so the reduction of the last layers overlaps the backward of the first. Buckets
// start strictly in order (bucket k+1 waits for k), so every rank issues the same collectives
// in the same order whatever order autograd runs in.
//
// Contract: exactly one backward per finalize(); every parameter that requires grad gets a
// gradient every step (no unused-parameter search: a parameter left out of the graph makes
// finalize() throw InternalError naming its index, as does a second gradient before finalize).
// Parameters that do not require grad are broadcast but not reduced. All parameters on one
// device. The reducer must outlive no parameter; it removes its hooks when destroyed.
#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "distributed/bucket_plan.h"
#include "distributed/communicator.h"

namespace mmoe::distributed {

struct GradientReducerOptions {
  double bucket_mb = 25.0;           // distributed.bucket_mb: bucket capacity in MiB (> 0)
  ReduceOp op = ReduceOp::kAverage;  // kAverage or kSum (see above); kMax is refused
};

class GradientReducer {
 public:
  // `parameters` in registration order (module->parameters()). DistributedError on a bad option,
  // an undefined parameter or parameters on different devices.
  GradientReducer(std::vector<torch::Tensor> parameters, Communicator& communicator,
                  GradientReducerOptions options = {});
  ~GradientReducer();
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // Every rank's parameters become rank 0's (one broadcast per dtype).
  void broadcast_parameters();
  // After backward: waits for every bucket, then writes the reduced gradients into .grad.
  void finalize();

  const std::vector<BucketPlan>& buckets() const { return plans_; }
  // Called by the gradient hooks; public for them only.
  void mark_ready(size_t parameter);

 private:
  struct Hook;
  void launch_ready_buckets();

  std::vector<torch::Tensor> parameters_;
  Communicator& communicator_;
  GradientReducerOptions options_;
  std::vector<BucketPlan> plans_;
  std::vector<torch::Tensor> flat_;          // per bucket, preallocated: [plan.numel]
  std::vector<int64_t> waiting_;              // per bucket: parameters not yet ready this step
  std::vector<int64_t> bucket_of_;            // per parameter: its bucket, -1 when not reduced
  std::vector<bool> ready_;                   // per parameter, this step
  std::vector<std::unique_ptr<PendingReduce>> pending_;  // per bucket, this step
  size_t next_launch_ = 0;                    // buckets before it have started their all-reduce
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators_;  // kept alive: they hold the hooks
  std::vector<uintptr_t> hook_keys_;
};

}  // namespace mmoe::distributed
