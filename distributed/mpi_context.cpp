#include "distributed/mpi_context.h"

#include <mutex>
#include <string>

#include "distributed/world_info.h"

namespace mmoe::distributed {

std::shared_ptr<MpiContext> MpiContext::acquire() {
  // The one piece of process-wide state in this layer: it mirrors MPI's own (init once per process).
  static std::mutex mutex;
  static std::weak_ptr<MpiContext> current;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto existing = current.lock()) return existing;
  std::shared_ptr<MpiContext> context(new MpiContext());
  current = context;
  return context;
}

MpiContext::MpiContext() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) {
    throw LaunchError("MPI was already finalised in this process and cannot be initialised again; keep one "
                      "communicator (MpiContext) alive for the whole job");
  }
  int initialized = 0;
  MPI_Initialized(&initialized);
  int provided = MPI_THREAD_SINGLE;
  if (!initialized) {
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
      throw LaunchError("MPI_Init_thread failed; check the MPI installation and the mpirun / srun command");
    }
    owns_finalize_ = true;
  } else {
    MPI_Query_thread(&provided);
  }
  if (provided < MPI_THREAD_SERIALIZED) {
    if (owns_finalize_) MPI_Finalize();
    throw LaunchError("the MPI library provides thread level " + std::to_string(provided) +
                      " but mmoe needs MPI_THREAD_SERIALIZED; use an MPI built with thread support");
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size_);
}

MpiContext::~MpiContext() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (owns_finalize_ && !finalized) MPI_Finalize();
}

}  // namespace mmoe::distributed
