// MpiCommunicator under mpirun -np 2 and -np 3. Rank r contributes r + 1 times a base pattern,
// so for N ranks: sum = base * N(N+1)/2, average = base * (N+1)/2 (integers truncate), max = base * N.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "distributed/collective_error.h"
#include "tests/distributed/mpi_world.h"

namespace mmoe::distributed {
namespace {

using testing::mpi_world;

const std::vector<torch::ScalarType> kDtypes = {torch::kFloat32, torch::kFloat64, torch::kInt64, torch::kInt32,
                                                torch::kUInt8};

// [2, 3] base pattern 1..6 in `dtype`.
torch::Tensor base(torch::ScalarType dtype) { return torch::arange(1, 7, torch::kFloat64).reshape({2, 3}).to(dtype); }

TEST(MpiCollectives, AllReduceSumAverageMaxForEveryDtype) {
  auto world = mpi_world();
  const int64_t n = world->world_size();
  const double contribution = static_cast<double>(world->rank() + 1);
  for (const auto dtype : kDtypes) {
    const bool integer = !torch::isFloatingType(dtype);
    const auto b = torch::arange(1, 7, torch::kFloat64).reshape({2, 3});
    const auto expected_sum = b * (n * (n + 1) / 2);
    auto expected_average = b * (static_cast<double>(n + 1) / 2.0);
    if (integer) expected_average = expected_average.trunc();  // e.g. N = 2: 1.5 * 3 = 4.5 -> 4
    const auto expected_max = b * static_cast<double>(n);

    std::vector<torch::Tensor> sum = {(b * contribution).to(dtype)};
    world->all_reduce(sum, ReduceOp::kSum);
    EXPECT_TRUE(torch::equal(sum[0], expected_sum.to(dtype))) << c10::toString(dtype) << "\n" << sum[0];
    std::vector<torch::Tensor> average = {(b * contribution).to(dtype)};
    world->all_reduce(average, ReduceOp::kAverage);
    EXPECT_TRUE(torch::allclose(average[0].to(torch::kFloat64), expected_average))
        << c10::toString(dtype) << "\n" << average[0];
    std::vector<torch::Tensor> max = {(b * contribution).to(dtype)};
    world->all_reduce(max, ReduceOp::kMax);
    EXPECT_TRUE(torch::equal(max[0], expected_max.to(dtype))) << c10::toString(dtype) << "\n" << max[0];
  }
}

TEST(MpiCollectives, AListOfMixedDtypesAndNonContiguousTensorsIsReducedInPlace) {
  auto world = mpi_world();
  const int64_t n = world->world_size();
  const double c = static_cast<double>(world->rank() + 1);
  auto matrix = (base(torch::kFloat32) * c).t();  // non-contiguous view [3, 2]
  std::vector<torch::Tensor> tensors = {matrix, torch::full({4}, c, torch::kInt64), torch::full({1}, c),
                                        torch::zeros({0})};
  world->all_reduce(tensors, ReduceOp::kSum);
  const double total = static_cast<double>(n * (n + 1) / 2);
  EXPECT_TRUE(torch::equal(tensors[0], (base(torch::kFloat32) * total).t()));
  EXPECT_TRUE(torch::equal(tensors[1], torch::full({4}, total, torch::kInt64)));
  EXPECT_TRUE(torch::equal(tensors[2], torch::full({1}, total)));
  EXPECT_EQ(tensors[3].numel(), 0);
}

TEST(MpiCollectives, AsyncAllReduceAverages) {
  auto world = mpi_world();
  const int64_t n = world->world_size();
  auto flat = torch::full({5}, static_cast<double>(world->rank() + 1), torch::kFloat64);
  auto pending = world->all_reduce_async(flat, ReduceOp::kAverage);
  pending->wait();
  EXPECT_TRUE(torch::allclose(flat, torch::full({5}, (n + 1) / 2.0, torch::kFloat64))) << flat;
}

TEST(MpiCollectives, BroadcastFromTheLastRank) {
  auto world = mpi_world();
  const int64_t root = world->world_size() - 1;
  const double mine = static_cast<double>(world->rank());
  for (const auto dtype : kDtypes) {
    std::vector<torch::Tensor> tensors = {torch::full({3}, mine).to(dtype), torch::full({2, 2}, mine * 2).to(dtype)};
    world->broadcast(tensors, root);
    EXPECT_TRUE(torch::equal(tensors[0], torch::full({3}, static_cast<double>(root)).to(dtype)));
    EXPECT_TRUE(torch::equal(tensors[1], torch::full({2, 2}, static_cast<double>(root * 2)).to(dtype)));
  }
}

TEST(MpiCollectives, AllGatherIsInRankOrder) {
  auto world = mpi_world();
  const int64_t n = world->world_size();
  for (const auto dtype : kDtypes) {
    const auto mine = (torch::arange(6, torch::kFloat64).reshape({2, 3}) + 10.0 * world->rank()).to(dtype);
    const auto gathered = world->all_gather(mine);
    ASSERT_EQ(gathered.sizes(), (std::vector<int64_t>{n, 2, 3}));
    for (int64_t r = 0; r < n; ++r) {
      EXPECT_TRUE(torch::equal(gathered[r], (torch::arange(6, torch::kFloat64).reshape({2, 3}) + 10.0 * r).to(dtype)))
          << "rank " << r << " " << c10::toString(dtype);
    }
  }
  world->barrier();
}

TEST(MpiCollectives, BadInputsAreRefusedBeforeAnyCommunication) {
  auto world = mpi_world();
  std::vector<torch::Tensor> half = {torch::ones({2}, torch::kFloat16)};
  try {
    world->all_reduce(half, ReduceOp::kSum);
    FAIL() << "float16 accepted";
  } catch (const DistributedError& e) {
    EXPECT_NE(std::string(e.what()).find("all_reduce"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Half"), std::string::npos) << e.what();
  }
  std::vector<torch::Tensor> ones = {torch::ones({2})};
  EXPECT_THROW(world->broadcast(ones, world->world_size()), DistributedError);
  EXPECT_THROW(world->broadcast(ones, -1), DistributedError);
  // The communicator still works: the refusals happened on every rank alike, before MPI.
  world->all_reduce(ones, ReduceOp::kMax);
  EXPECT_TRUE(torch::equal(ones[0], torch::ones({2})));
}

}  // namespace
}  // namespace mmoe::distributed
