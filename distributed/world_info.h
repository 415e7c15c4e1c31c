#pragma once
// Rank, world and local rank of this process, discovered in one place from the launcher's
// environment: OpenMPI's mpirun (OMPI_COMM_WORLD_*), SLURM's srun (SLURM_PROCID, SLURM_NTASKS,
// SLURM_LOCALID, SLURM_NODEID), or neither (a plain single process).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/error.h"

namespace mmoe::distributed {

enum class Launcher { kNone, kMpirun, kSrun };
const char* to_string(Launcher launcher);

struct WorldInfo {
  Launcher launcher = Launcher::kNone;
  int64_t rank = 0;
  int64_t world_size = 1;
  int64_t local_rank = 0;  // picks the GPU on a node
  int64_t node_id = 0;
};

// A malformed or inconsistent launcher environment (e.g. rank >= world size).
class LaunchError : public mmoe::Error {
 public:
  using mmoe::Error::Error;
};

// Reads variables through `getenv_fn` (std::getenv in production; a map in tests).
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
WorldInfo discover_world(const EnvLookup& getenv_fn);
EnvLookup process_environment();

}  // namespace mmoe::distributed
