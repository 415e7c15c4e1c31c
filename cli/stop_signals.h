#pragma once
// SIGINT, SIGTERM and SIGUSR1 ask training to stop after the current step; it then writes a
// checkpoint of that step. SIGINT (Ctrl-C) records the run as interrupted; SIGTERM and SIGUSR1
// (a scheduler's preemption or time limit, e.g. `sbatch --signal=B:USR1@120`) as preempted. A
// second signal restores the default action, so a stuck process still dies.
#include <atomic>
#include <functional>

namespace mmoe::cli {

struct StopSignals {
  const std::atomic<bool>* requested = nullptr;  // set by the first signal
  const std::atomic<int>* signal = nullptr;      // which signal that was (0 before any)
  // For trainer::TrainRunOptions::stop_is_preemption: true unless the stop was SIGINT.
  std::function<bool()> preemption_test() const;
};

// Installs the handlers and returns what they set; lives for the whole process.
StopSignals install_stop_signal_handlers();

}  // namespace mmoe::cli
