#include "distributed/communicator_factory.h"

#include <chrono>
#include <string>

#if MMOE_HAVE_MPI
#include "distributed/mpi_communicator.h"
#endif
#if MMOE_HAVE_NCCL
#include "distributed/nccl_communicator.h"
#endif

namespace mmoe::distributed {
namespace {

const char* kNeedMpi =
    "this build has no MPI: install an MPI with its C++ development files (e.g. libopenmpi-dev) so that CMake's "
    "find_package(MPI COMPONENTS CXX) finds it, then reconfigure and rebuild";
const char* kNeedNccl =
    "this build has no NCCL backend: it needs the CUDA toolkit, NCCL and MPI; configure with -DMMOE_WITH_CUDA=ON "
    "-DMMOE_WITH_NCCL=ON (set CUDAToolkit_ROOT / NCCL_HOME) and rebuild";

std::string world_text(const WorldInfo& world) {
  return std::to_string(world.world_size) + " processes launched by " + to_string(world.launcher);
}

#if MMOE_HAVE_MPI
std::unique_ptr<MpiCommunicator> make_mpi(const WorldInfo& world, double timeout_s) {
  auto communicator =
      std::make_unique<MpiCommunicator>(MpiContext::acquire(), std::chrono::duration<double>(timeout_s));
  if (communicator->world_size() != world.world_size || communicator->rank() != world.rank) {
    throw LaunchError("MPI reports rank " + std::to_string(communicator->rank()) + " of " +
                      std::to_string(communicator->world_size()) + " but " + to_string(world.launcher) +
                      " reports rank " + std::to_string(world.rank) + " of " + std::to_string(world.world_size) +
                      ": this MPI cannot see the launcher (under srun use --mpi=pmix or pmi2, or launch with mpirun)");
  }
  return communicator;
}
#endif

}  // namespace

const char* to_string(Backend backend) {
  switch (backend) {
    case Backend::kAuto: return "auto";
    case Backend::kLocal: return "local";
    case Backend::kMpi: return "mpi";
    case Backend::kNccl: return "nccl";
  }
  return "unknown";
}

BuildFeatures BuildFeatures::of_this_build() {
  BuildFeatures build;
  build.mpi = MMOE_HAVE_MPI != 0;
  build.nccl = MMOE_HAVE_NCCL != 0 && MMOE_HAVE_MPI != 0;
  return build;
}

Backend resolve_backend(Backend requested, const WorldInfo& world, bool device_is_cuda, const BuildFeatures& build) {
  switch (requested) {
    case Backend::kAuto:
      if (world.world_size == 1) return Backend::kLocal;
      if (build.nccl && device_is_cuda) return Backend::kNccl;
      if (build.mpi) return Backend::kMpi;
      throw LaunchError("distributed.backend 'auto': launched as " + world_text(world) + " but " + kNeedMpi +
                        " (or run a single process)");
    case Backend::kLocal:
      if (world.world_size == 1) return Backend::kLocal;
      throw LaunchError("distributed.backend 'local' trains in one process but this job has " + world_text(world) +
                        "; they would train independent copies: set distributed.backend to auto, mpi or nccl, or "
                        "run a single process");
    case Backend::kMpi:
      if (build.mpi) return Backend::kMpi;
      throw LaunchError(std::string("distributed.backend 'mpi': ") + kNeedMpi);
    case Backend::kNccl:
      if (!build.nccl) throw LaunchError(std::string("distributed.backend 'nccl': ") + kNeedNccl);
      if (!device_is_cuda) {
        throw LaunchError("distributed.backend 'nccl' reduces CUDA tensors but the training device is the CPU; "
                          "set distributed.backend to mpi or auto, or train on a CUDA device");
      }
      return Backend::kNccl;
  }
  return Backend::kLocal;
}

std::unique_ptr<Communicator> make_communicator(Backend backend, const WorldInfo& world, bool device_is_cuda,
                                                double timeout_s) {
  switch (resolve_backend(backend, world, device_is_cuda, BuildFeatures::of_this_build())) {
#if MMOE_HAVE_MPI
    case Backend::kMpi: return make_mpi(world, timeout_s);
#endif
#if MMOE_HAVE_NCCL && MMOE_HAVE_MPI
    case Backend::kNccl:
      return std::make_unique<NcclCommunicator>(make_mpi(world, timeout_s), static_cast<int>(world.local_rank));
#endif
    default: break;
  }
  return std::make_unique<LocalCommunicator>();
}

}  // namespace mmoe::distributed
