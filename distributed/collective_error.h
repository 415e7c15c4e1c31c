#pragma once
// Typed errors of the distributed layer. Each message names the collective (and its sequence
// number), this rank, and what to do next.
#include <string>

#include "core/error.h"

namespace mmoe::distributed {

// A misuse of the distributed layer: a bad bucket size, an unsupported dtype, a root out of range.
class DistributedError : public mmoe::Error {
 public:
  using mmoe::Error::Error;
};

// A collective failed inside MPI or NCCL (the message carries the library's error string).
// After one, the communicator is broken: abort the job (see abort_on_failure.h).
class CollectiveError : public DistributedError {
 public:
  using DistributedError::DistributedError;
};

// The process was asked to stop (SIGTERM / SIGINT: e.g. mpirun tearing the job down after a rank
// died) while a collective had other ranks missing for longer than the interrupt grace.
class CollectiveInterrupted : public CollectiveError {
 public:
  using CollectiveError::CollectiveError;
};

// A collective did not complete within distributed.timeout_s. The message names the collective
// and, when the arrival heartbeat knows, the ranks that had not joined it.
class CollectiveTimeout : public CollectiveError {
 public:
  using CollectiveError::CollectiveError;
};

}  // namespace mmoe::distributed
