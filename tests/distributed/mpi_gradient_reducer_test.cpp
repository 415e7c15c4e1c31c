// Data parallelism end to end under mpirun: each rank trains on its slice of the batch with the
// GradientReducer; after 5 SGD steps its parameters equal those of one process on the whole
// batch (computed on rank 0 with a LocalCommunicator), within 1e-6.
#include <gtest/gtest.h>

#include <vector>

#include <torch/torch.h>

#include "distributed/gradient_reducer.h"
#include "tests/distributed/mpi_world.h"

namespace mmoe::distributed {
namespace {

constexpr int64_t kRows = 12;  // divisible by 2 and 3 ranks
constexpr int kSteps = 5;

// Linear(4 -> 8), tanh, Linear(8 -> 3): 32 + 8 + 24 + 3 float32 parameters.
struct Net {
  explicit Net(uint64_t seed) {
    torch::manual_seed(seed);
    first = torch::nn::Linear(4, 8);
    second = torch::nn::Linear(8, 3);
  }
  std::vector<torch::Tensor> parameters() const {
    return {first->weight, first->bias, second->weight, second->bias};
  }
  torch::Tensor forward(const torch::Tensor& x) { return second->forward(torch::tanh(first->forward(x))); }
  torch::nn::Linear first{nullptr};
  torch::nn::Linear second{nullptr};
};

// A fixed batch: x [12, 4], y [12, 3].
torch::Tensor inputs() { return torch::sin(torch::arange(kRows * 4, torch::kFloat).reshape({kRows, 4}) * 0.37); }
torch::Tensor targets() { return torch::cos(torch::arange(kRows * 3, torch::kFloat).reshape({kRows, 3}) * 0.11); }

// Trains `net` for kSteps on rows [begin, end) of the batch. `global_rows` > 0: the loss is the
// squared error summed over the slice divided by the global row count (use with kSum); 0: the
// slice's own mean (use with kAverage).
void train(Net& net, Communicator& communicator, ReduceOp op, int64_t begin, int64_t end, int64_t global_rows) {
  // 110 bytes: [b2 (12 B), w2 (96 B)], [b1 (32 B)], [w1 (128 B), larger than a bucket].
  GradientReducer reducer(net.parameters(), communicator, {110.0 / (1024.0 * 1024.0), op});
  EXPECT_EQ(reducer.buckets().size(), 3u);
  reducer.broadcast_parameters();
  torch::optim::SGD sgd(net.parameters(), torch::optim::SGDOptions(0.1));
  const auto x = inputs().slice(0, begin, end);
  const auto y = targets().slice(0, begin, end);
  for (int step = 0; step < kSteps; ++step) {
    sgd.zero_grad();
    const auto error = (net.forward(x) - y).pow(2).sum(1);
    const auto loss = global_rows > 0 ? error.sum() / static_cast<double>(global_rows) : error.mean();
    loss.backward();
    reducer.finalize();
    sgd.step();
  }
}

void expect_matches_single_process(ReduceOp op, bool normalise_globally) {
  auto world = testing::mpi_world();
  const int64_t n = world->world_size();
  const int64_t rows = kRows / n;
  // Rank 0 starts from the reference's weights; the others from different ones, which
  // broadcast_parameters must overwrite.
  Net net(world->rank() == 0 ? 7 : 1000 + static_cast<uint64_t>(world->rank()));
  train(net, *world, op, world->rank() * rows, (world->rank() + 1) * rows, normalise_globally ? kRows : 0);

  std::vector<torch::Tensor> reference_parameters;
  if (world->is_root()) {
    Net reference(7);
    LocalCommunicator local;
    train(reference, local, op, 0, kRows, normalise_globally ? kRows : 0);
    reference_parameters = reference.parameters();
  }
  // Compare every rank against rank 0's reference.
  for (size_t p = 0; p < net.parameters().size(); ++p) {
    std::vector<torch::Tensor> expected = {world->is_root() ? reference_parameters[p].detach().clone()
                                                            : torch::empty_like(net.parameters()[p])};
    world->broadcast(expected, 0);
    const auto difference = (net.parameters()[p].detach() - expected[0]).abs().max().item<double>();
    EXPECT_LE(difference, 1e-6) << "parameter " << p << " on rank " << world->rank();
  }
  // The run must have moved the weights, or the comparison proves nothing.
  Net untrained(7);
  EXPECT_GT((net.parameters()[0].detach() - untrained.parameters()[0]).abs().max().item<double>(), 1e-3);
}

TEST(MpiGradientReducer, AveragedSlicesEqualOneProcessOnTheWholeBatch) { expect_matches_single_process(ReduceOp::kAverage, false); }

TEST(MpiGradientReducer, SummedGloballyNormalisedSlicesEqualOneProcess) { expect_matches_single_process(ReduceOp::kSum, true); }

}  // namespace
}  // namespace mmoe::distributed
