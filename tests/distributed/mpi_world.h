#pragma once
// The communicator of the test job: MPI_COMM_WORLD as launched by mpirun.
#include <chrono>
#include <memory>

#include "distributed/mpi_communicator.h"

namespace mmoe::distributed::testing {

// Generous bound: an oversubscribed, loaded test machine is slow, but no test should hang.
inline std::unique_ptr<MpiCommunicator> mpi_world(double timeout_s = 120.0) {
  return std::make_unique<MpiCommunicator>(MpiContext::acquire(), std::chrono::duration<double>(timeout_s));
}

}  // namespace mmoe::distributed::testing
