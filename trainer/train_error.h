#pragma once
#include "core/error.h"

namespace mmoe::trainer {

// A training run that cannot start or continue: config and dataset disagree, a non-finite loss,
// an unavailable device. The message names the key, task, epoch or step involved.
class TrainError : public mmoe::Error {
 public:
  using mmoe::Error::Error;
};

// A checkpoint that cannot be written, is missing, incomplete (no manifest), corrupt (a checksum
// mismatch), from a newer format, or does not fit the config it is resumed with. The message
// names the path and what to do.
class CheckpointError : public mmoe::Error {
 public:
  using mmoe::Error::Error;
};

// Training stopped on request (SIGINT / SIGTERM); the run is recorded as interrupted.
class TrainingInterrupted : public mmoe::Error {
 public:
  using mmoe::Error::Error;
};

// An interruption the scheduler asked for (SIGTERM / SIGUSR1): the run is recorded as preempted.
class TrainingPreempted : public TrainingInterrupted {
 public:
  using TrainingInterrupted::TrainingInterrupted;
};

}  // namespace mmoe::trainer
