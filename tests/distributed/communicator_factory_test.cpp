// resolve_backend for every backend, world and build; make_communicator for a world of one.
#include <gtest/gtest.h>

#include <string>

#include "distributed/communicator_factory.h"

namespace mmoe::distributed {
namespace {

WorldInfo world_of(int64_t size) {
  WorldInfo world;
  world.world_size = size;
  world.launcher = size > 1 ? Launcher::kMpirun : Launcher::kNone;
  return world;
}

// The LaunchError's message; fails the test when nothing is thrown.
std::string refusal(Backend backend, int64_t world, bool cuda, BuildFeatures build) {
  try {
    const auto chosen = resolve_backend(backend, world_of(world), cuda, build);
    ADD_FAILURE() << "resolved to " << to_string(chosen);
  } catch (const LaunchError& e) {
    return e.what();
  }
  return {};
}

const BuildFeatures kNothing{false, false};
const BuildFeatures kMpiOnly{true, false};
const BuildFeatures kEverything{true, true};

TEST(ResolveBackend, AutoIsLocalForOneProcessWhateverTheBuild) {
  for (const auto build : {kNothing, kMpiOnly, kEverything}) {
    for (const bool cuda : {false, true}) {
      EXPECT_EQ(resolve_backend(Backend::kAuto, world_of(1), cuda, build), Backend::kLocal);
    }
  }
}

TEST(ResolveBackend, AutoPicksNcclForCudaDevicesWhenBuiltElseMpi) {
  EXPECT_EQ(resolve_backend(Backend::kAuto, world_of(2), true, kEverything), Backend::kNccl);
  EXPECT_EQ(resolve_backend(Backend::kAuto, world_of(2), false, kEverything), Backend::kMpi);
  EXPECT_EQ(resolve_backend(Backend::kAuto, world_of(4), true, kMpiOnly), Backend::kMpi);
  EXPECT_EQ(resolve_backend(Backend::kAuto, world_of(4), false, kMpiOnly), Backend::kMpi);
}

TEST(ResolveBackend, SeveralProcessesWithoutMpiAreRefusedNamingThePackage) {
  const auto message = refusal(Backend::kAuto, 2, false, kNothing);
  EXPECT_NE(message.find("find_package(MPI"), std::string::npos) << message;
  EXPECT_NE(message.find("2 processes"), std::string::npos) << message;
}

TEST(ResolveBackend, LocalWithSeveralProcessesIsRefused) {
  for (const auto build : {kNothing, kEverything}) {
    const auto message = refusal(Backend::kLocal, 3, false, build);
    EXPECT_NE(message.find("independent copies"), std::string::npos) << message;
    EXPECT_NE(message.find("3 processes"), std::string::npos) << message;
  }
  EXPECT_EQ(resolve_backend(Backend::kLocal, world_of(1), true, kEverything), Backend::kLocal);
}

TEST(ResolveBackend, ExplicitBackendsNeedTheirBuildOption) {
  auto message = refusal(Backend::kMpi, 2, false, kNothing);
  EXPECT_NE(message.find("distributed.backend 'mpi'"), std::string::npos) << message;
  EXPECT_NE(message.find("libopenmpi-dev"), std::string::npos) << message;
  message = refusal(Backend::kNccl, 2, true, kMpiOnly);
  EXPECT_NE(message.find("distributed.backend 'nccl'"), std::string::npos) << message;
  EXPECT_NE(message.find("-DMMOE_WITH_NCCL=ON"), std::string::npos) << message;
  EXPECT_EQ(resolve_backend(Backend::kMpi, world_of(1), false, kMpiOnly), Backend::kMpi);
  EXPECT_EQ(resolve_backend(Backend::kNccl, world_of(2), true, kEverything), Backend::kNccl);
}

TEST(ResolveBackend, NcclNeedsACudaDevice) {
  const auto message = refusal(Backend::kNccl, 2, false, kEverything);
  EXPECT_NE(message.find("CPU"), std::string::npos) << message;
}

TEST(MakeCommunicator, WorldOfOneIsLocalAndNeverInitialisesMpi) {
  for (const auto backend : {Backend::kAuto, Backend::kLocal}) {
    const auto communicator = make_communicator(backend, world_of(1), false, 5.0);
    EXPECT_STREQ(communicator->backend_name(), "local");
    EXPECT_EQ(communicator->world_size(), 1);
  }
}

TEST(MakeCommunicator, ThisBuildsFeaturesMatchItsConfiguration) {
  const auto build = BuildFeatures::of_this_build();
  EXPECT_EQ(build.mpi, MMOE_HAVE_MPI != 0);
  EXPECT_EQ(build.nccl, MMOE_HAVE_NCCL != 0 && MMOE_HAVE_MPI != 0);
}

}  // namespace
}  // namespace mmoe::distributed
