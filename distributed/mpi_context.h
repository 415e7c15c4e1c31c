#pragma once
// The process's MPI library, initialised once and finalised once (RAII).
//
// MPI is per-process state by nature: it can be initialised once and, once finalised, never
// again. MpiContext::acquire() hands out one shared context; the last owner to release it calls
// MPI_Finalize (only if this context initialised MPI; a host program that initialised MPI
// itself keeps that duty). Keep one context alive for the whole job (the communicators hold it).
// Under mpirun / srun the world is the launcher's; a plain process is an MPI singleton (world 1).
#include <memory>

#include <mpi.h>

namespace mmoe::distributed {

class MpiContext {
 public:
  // Initialises MPI with MPI_THREAD_SERIALIZED (autograd hooks may call MPI from the engine's
  // device threads, one at a time) unless it is already initialised. LaunchError when MPI was
  // already finalised in this process or cannot give SERIALIZED.
  static std::shared_ptr<MpiContext> acquire();

  ~MpiContext();
  MpiContext(const MpiContext&) = delete;
  MpiContext& operator=(const MpiContext&) = delete;

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }

 private:
  MpiContext();
  bool owns_finalize_ = false;
  int rank_ = 0;
  int world_size_ = 1;
};

}  // namespace mmoe::distributed
