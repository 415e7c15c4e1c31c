#include "cli/stop_signals.h"

#include <csignal>

namespace mmoe::cli {
namespace {

// A signal handler can only reach process-wide state; this flag is the one such object.
std::atomic<bool> stop_flag{false};

extern "C" void on_stop_signal(int signal_number) {
  if (stop_flag.exchange(true)) std::signal(signal_number, SIG_DFL);  // second signal: default action
}

}  // namespace

const std::atomic<bool>* install_stop_signal_handlers() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  return &stop_flag;
}

}  // namespace mmoe::cli
