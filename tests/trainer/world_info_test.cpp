// discover_world with a fake environment, and make_communicator / LocalCommunicator.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "distributed/communicator_factory.h"
#include "distributed/world_info.h"

namespace mmoe::distributed {
namespace {

EnvLookup fake_environment(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto found = vars.find(name);
    if (found == vars.end()) return std::nullopt;
    return found->second;
  };
}

// The message of the LaunchError `fn` throws; fails the test when it throws nothing.
template <typename Fn>
std::string launch_error_message(Fn fn) {
  try {
    fn();
  } catch (const LaunchError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a LaunchError";
  return {};
}

TEST(DiscoverWorld, PlainProcessIsAWorldOfOne) {
  const auto world = discover_world(fake_environment({{"HOME", "/root"}}));
  EXPECT_EQ(world.launcher, Launcher::kNone);
  EXPECT_EQ(world.world_size, 1);
  EXPECT_EQ(world.rank, 0);
  EXPECT_EQ(world.local_rank, 0);
  EXPECT_EQ(world.node_id, 0);
  EXPECT_STREQ(to_string(world.launcher), "none");
}

TEST(DiscoverWorld, Mpirun) {
  const auto world = discover_world(fake_environment({{"OMPI_COMM_WORLD_SIZE", "4"},
                                                      {"OMPI_COMM_WORLD_RANK", "3"},
                                                      {"OMPI_COMM_WORLD_LOCAL_RANK", "1"},
                                                      {"OMPI_COMM_WORLD_NODE_RANK", "1"}}));
  EXPECT_EQ(world.launcher, Launcher::kMpirun);
  EXPECT_EQ(world.world_size, 4);
  EXPECT_EQ(world.rank, 3);
  EXPECT_EQ(world.local_rank, 1);
  EXPECT_EQ(world.node_id, 1);
  EXPECT_STREQ(to_string(world.launcher), "mpirun");
}

TEST(DiscoverWorld, Srun) {
  const auto world = discover_world(fake_environment({{"SLURM_PROCID", "5"},
                                                      {"SLURM_NTASKS", "8"},
                                                      {"SLURM_LOCALID", "1"},
                                                      {"SLURM_NODEID", "2"},
                                                      {"SLURM_STEP_ID", "0"},
                                                      {"SLURM_JOB_ID", "1234"}}));
  EXPECT_EQ(world.launcher, Launcher::kSrun);
  EXPECT_EQ(world.world_size, 8);
  EXPECT_EQ(world.rank, 5);
  EXPECT_EQ(world.local_rank, 1);
  EXPECT_EQ(world.node_id, 2);
  EXPECT_STREQ(to_string(world.launcher), "srun");
}

TEST(DiscoverWorld, SlurmBatchScriptOutsideSrunIsAWorldOfOne) {
  // Inside sbatch, before srun: SLURM_NTASKS describes the allocation, not this process.
  const auto world = discover_world(fake_environment({{"SLURM_PROCID", "0"},
                                                      {"SLURM_NTASKS", "8"},
                                                      {"SLURM_LOCALID", "0"},
                                                      {"SLURM_NODEID", "0"},
                                                      {"SLURM_JOB_ID", "7"}}));
  EXPECT_EQ(world.launcher, Launcher::kNone);
  EXPECT_EQ(world.world_size, 1);
  EXPECT_EQ(world.rank, 0);
}

TEST(DiscoverWorld, RankNotBelowWorldSizeNamesTheVariables) {
  const auto mpi = launch_error_message([] {
    discover_world(fake_environment({{"OMPI_COMM_WORLD_SIZE", "2"}, {"OMPI_COMM_WORLD_RANK", "2"}}));
  });
  EXPECT_NE(mpi.find("OMPI_COMM_WORLD_RANK"), std::string::npos) << mpi;
  EXPECT_NE(mpi.find("OMPI_COMM_WORLD_SIZE"), std::string::npos) << mpi;
  const auto slurm = launch_error_message([] {
    discover_world(fake_environment({{"SLURM_PROCID", "4"}, {"SLURM_NTASKS", "4"}, {"SLURM_STEP_ID", "0"}}));
  });
  EXPECT_NE(slurm.find("SLURM_PROCID"), std::string::npos) << slurm;
  EXPECT_NE(slurm.find("SLURM_NTASKS"), std::string::npos) << slurm;
}

TEST(DiscoverWorld, ZeroWorldSizeIsAnError) {
  const auto message = launch_error_message([] {
    discover_world(fake_environment({{"OMPI_COMM_WORLD_SIZE", "0"}, {"OMPI_COMM_WORLD_RANK", "0"}}));
  });
  EXPECT_NE(message.find("OMPI_COMM_WORLD_SIZE"), std::string::npos) << message;
}

TEST(DiscoverWorld, NonNumericValuesNameTheVariable) {
  const std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases = {
      {{{"OMPI_COMM_WORLD_SIZE", "two"}, {"OMPI_COMM_WORLD_RANK", "0"}}, "OMPI_COMM_WORLD_SIZE"},
      {{{"OMPI_COMM_WORLD_SIZE", "2"}, {"OMPI_COMM_WORLD_RANK", "1x"}}, "OMPI_COMM_WORLD_RANK"},
      {{{"OMPI_COMM_WORLD_SIZE", "2"}, {"OMPI_COMM_WORLD_RANK", "1"}, {"OMPI_COMM_WORLD_LOCAL_RANK", ""}},
       "OMPI_COMM_WORLD_LOCAL_RANK"},
      {{{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "-2"}, {"SLURM_STEP_ID", "0"}}, "SLURM_NTASKS"},
      {{{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_STEP_ID", "0"}, {"SLURM_LOCALID", "a"}},
       "SLURM_LOCALID"},
  };
  for (const auto& [vars, variable] : cases) {
    const auto message = launch_error_message([&] { discover_world(fake_environment(vars)); });
    EXPECT_NE(message.find(variable), std::string::npos) << message;
  }
}

TEST(MakeCommunicator, WorldOfOneIsLocal) {
  for (const auto backend : {Backend::kAuto, Backend::kLocal}) {
    const auto communicator = make_communicator(backend, WorldInfo{}, false, 5.0);
    ASSERT_NE(communicator, nullptr);
    EXPECT_STREQ(communicator->backend_name(), "local");
    EXPECT_EQ(communicator->world_size(), 1);
    EXPECT_EQ(communicator->rank(), 0);
    EXPECT_TRUE(communicator->is_root());
  }
}

TEST(MakeCommunicator, LocalCollectivesAreTheIdentity) {
  const auto communicator = make_communicator(Backend::kAuto, WorldInfo{}, false, 5.0);
  const auto a = torch::tensor({1.5, -2.0, 3.0});
  const auto b = torch::tensor({4, 5}, torch::kInt64);
  for (const auto op : {ReduceOp::kSum, ReduceOp::kAverage, ReduceOp::kMax}) {
    std::vector<torch::Tensor> tensors = {a.clone(), b.clone()};
    communicator->all_reduce(tensors, op);
    EXPECT_TRUE(torch::equal(tensors[0], a));
    EXPECT_TRUE(torch::equal(tensors[1], b));
  }
  std::vector<torch::Tensor> tensors = {a.clone()};
  communicator->broadcast(tensors, 0);
  EXPECT_TRUE(torch::equal(tensors[0], a));

  const auto matrix = torch::arange(6, torch::kFloat).reshape({2, 3});
  const auto gathered = communicator->all_gather(matrix);
  EXPECT_EQ(gathered.sizes(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_TRUE(torch::equal(gathered[0], matrix));
  communicator->barrier();
}

TEST(MakeCommunicator, SeveralProcessesNeedADistributedBackend) {
  WorldInfo world;
  world.launcher = Launcher::kMpirun;
  world.world_size = 2;
  world.rank = 1;
  // The local backend would train W independent copies.
  EXPECT_THROW(make_communicator(Backend::kLocal, world, false, 5.0), LaunchError);
}

}  // namespace
}  // namespace mmoe::distributed
