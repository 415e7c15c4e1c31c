#include "cli/stop_signals.h"

#include <csignal>

namespace mmoe::cli {
namespace {

// A signal handler can only reach process-wide state; these are the only such objects.
std::atomic<bool> stop_flag{false};
std::atomic<int> stop_signal{0};

extern "C" void on_stop_signal(int signal_number) {
  if (stop_flag.load()) {
    std::signal(signal_number, SIG_DFL);  // second signal: default action
    return;
  }
  stop_signal.store(signal_number);  // before the flag: whoever sees the flag sees the signal
  stop_flag.store(true);
}

}  // namespace

std::function<bool()> StopSignals::preemption_test() const {
  return [which = signal] { return which->load() != SIGINT; };
}

StopSignals install_stop_signal_handlers() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGUSR1, on_stop_signal);
  return {&stop_flag, &stop_signal};
}

}  // namespace mmoe::cli
