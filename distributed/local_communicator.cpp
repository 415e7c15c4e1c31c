#include "distributed/communicator.h"

namespace mmoe::distributed {

void LocalCommunicator::all_reduce(std::vector<torch::Tensor>& tensors, ReduceOp op) {
  // Sum, average and max over one rank leave every tensor as it is.
}

void LocalCommunicator::broadcast(std::vector<torch::Tensor>& tensors, int64_t root) {
  TORCH_CHECK(root == 0, "LocalCommunicator::broadcast: root ", root, " is not a rank of a world of size 1");
}

torch::Tensor LocalCommunicator::all_gather(const torch::Tensor& tensor) { return tensor.unsqueeze(0).clone(); }

}  // namespace mmoe::distributed
