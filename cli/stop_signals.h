#pragma once
// SIGINT / SIGTERM ask training to stop after the current step (the run is then recorded as
// interrupted). A second signal restores the default action, so a stuck process still dies.
#include <atomic>

namespace mmoe::cli {

// Installs the handlers and returns the flag they set; lives for the whole process.
const std::atomic<bool>* install_stop_signal_handlers();

}  // namespace mmoe::cli
