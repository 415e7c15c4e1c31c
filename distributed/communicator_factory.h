#pragma once
// Picks the communicator for this process from the configured backend and the launcher's world.
#include <memory>

#include "distributed/communicator.h"
#include "distributed/world_info.h"

namespace mmoe::distributed {

enum class Backend { kAuto, kLocal, kMpi, kNccl };

// auto: local for a world of one. A world of several processes needs the MPI or NCCL backend,
// which this build does not have yet: LaunchError says so instead of silently training N
// independent copies.
std::unique_ptr<Communicator> make_communicator(Backend backend, const WorldInfo& world);

}  // namespace mmoe::distributed
