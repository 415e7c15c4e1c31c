#include "distributed/communicator_factory.h"

namespace mmoe::distributed {

std::unique_ptr<Communicator> make_communicator(Backend backend, const WorldInfo& world) {
  if (backend == Backend::kMpi || backend == Backend::kNccl) {
    throw LaunchError(std::string("distributed.backend: '") + (backend == Backend::kMpi ? "mpi" : "nccl") +
                      "' is not available in this build yet; use 'auto' or 'local' with one process");
  }
  if (world.world_size > 1) {
    throw LaunchError("launched as " + std::to_string(world.world_size) + " processes by " + to_string(world.launcher) +
                      " but this build trains in one process only (multi-process data parallelism is not built "
                      "yet); run a single process");
  }
  return std::make_unique<LocalCommunicator>();
}

}  // namespace mmoe::distributed
