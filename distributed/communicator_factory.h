#pragma once
// Picks the communicator for this process from the configured backend, the launcher's world and
// the training device.
//
//   auto   world 1: local. World > 1: nccl when this build has NCCL and the device is CUDA,
//          else mpi. (A single process never pays for MPI or NCCL initialisation.)
//   local  world 1 only: several processes with the local backend would train N independent
//          copies, so that is a LaunchError.
//   mpi    MPI collectives (CPU tensors; CUDA tensors staged through host memory).
//   nccl   NCCL collectives on the GPU, bootstrapped over MPI; needs a CUDA device.
// A backend this build lacks is a LaunchError naming the CMake option or package to add.
#include <memory>

#include "distributed/communicator.h"
#include "distributed/world_info.h"

namespace mmoe::distributed {

enum class Backend { kAuto, kLocal, kMpi, kNccl };
const char* to_string(Backend backend);

// What this build was compiled with (the defaults describe this build).
struct BuildFeatures {
  bool mpi = false;
  bool nccl = false;  // NCCL, the CUDA runtime and MPI (which bootstraps NCCL)
  static BuildFeatures of_this_build();
};

// The concrete backend (never kAuto) for `requested`; LaunchError when it cannot run here.
Backend resolve_backend(Backend requested, const WorldInfo& world, bool device_is_cuda, const BuildFeatures& build);

// `timeout_s` (distributed.timeout_s) bounds every collective of the mpi and nccl backends.
// LaunchError also when MPI's world disagrees with the launcher's (an MPI that cannot see srun).
std::unique_ptr<Communicator> make_communicator(Backend backend, const WorldInfo& world, bool device_is_cuda,
                                                double timeout_s);


}  // namespace mmoe::distributed
