#include "distributed/world_info.h"

#include <cstdlib>

namespace mmoe::distributed {
namespace {

int64_t parse_count(const EnvLookup& env, const std::string& name) {
  const auto text = env(name);
  try {
    size_t used = 0;
    const long long value = std::stoll(*text, &used);
    if (used != text->size() || value < 0) throw std::invalid_argument(name);
    return value;
  } catch (const std::exception&) {
    throw LaunchError("environment variable " + name + "='" + *text + "' is not a non-negative integer");
  }
}

}  // namespace

const char* to_string(Launcher launcher) {
  switch (launcher) {
    case Launcher::kNone: return "none";
    case Launcher::kMpirun: return "mpirun";
    case Launcher::kSrun: return "srun";
  }
  return "unknown";
}

WorldInfo discover_world(const EnvLookup& env) {
  WorldInfo world;
  std::string size_var, rank_var;  // where world_size and rank came from, for the error below
  if (env("OMPI_COMM_WORLD_SIZE") && env("OMPI_COMM_WORLD_RANK")) {
    size_var = "OMPI_COMM_WORLD_SIZE";
    rank_var = "OMPI_COMM_WORLD_RANK";
    world.launcher = Launcher::kMpirun;
    world.world_size = parse_count(env, "OMPI_COMM_WORLD_SIZE");
    world.rank = parse_count(env, "OMPI_COMM_WORLD_RANK");
    if (env("OMPI_COMM_WORLD_LOCAL_RANK")) world.local_rank = parse_count(env, "OMPI_COMM_WORLD_LOCAL_RANK");
    if (env("OMPI_COMM_WORLD_NODE_RANK")) world.node_id = parse_count(env, "OMPI_COMM_WORLD_NODE_RANK");
  } else if (env("SLURM_PROCID") && env("SLURM_NTASKS") && env("SLURM_STEP_ID")) {
    // SLURM_STEP_ID is set inside an srun step only, not in the batch script itself.
    world.launcher = Launcher::kSrun;
    size_var = "SLURM_NTASKS";
    rank_var = "SLURM_PROCID";
    world.world_size = parse_count(env, "SLURM_NTASKS");
    world.rank = parse_count(env, "SLURM_PROCID");
    if (env("SLURM_LOCALID")) world.local_rank = parse_count(env, "SLURM_LOCALID");
    if (env("SLURM_NODEID")) world.node_id = parse_count(env, "SLURM_NODEID");
  }
  if (world.world_size < 1 || world.rank >= world.world_size) {
    throw LaunchError(std::string("launcher ") + to_string(world.launcher) + " reports rank " +
                      std::to_string(world.rank) + " (" + rank_var + ") of world size " +
                      std::to_string(world.world_size) + " (" + size_var +
                      "); the rank must be in [0, world size): check the launch command");
  }
  return world;
}

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

}  // namespace mmoe::distributed
