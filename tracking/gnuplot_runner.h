#pragma once
// Runs gnuplot on a script file, without a shell: `<executable> <script>` through posix_spawnp
// (PATH lookup), stdout discarded, stderr captured for the error message.
#include <filesystem>
#include <string>

#include "tracking/report_error.h"

namespace mmoe::tracking {

// Throws GnuplotMissingError when `executable` is not found ("install gnuplot-nox"), ReportError
// with gnuplot's first stderr line when it exits non-zero or dies of a signal.
void run_gnuplot(const std::filesystem::path& script, const std::string& executable = "gnuplot");

// Whether `executable` can be started (runs `<executable> --version`).
bool gnuplot_available(const std::string& executable = "gnuplot");

}  // namespace mmoe::tracking
