#pragma once
// Runs the mmoe binary in a working directory and captures exit code, stdout and stderr.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace mmoe::e2e {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

// Starts `binary args...` in `workdir` with stdout/stderr to files there; returns the pid.
pid_t spawn(const std::string& binary, const std::vector<std::string>& args, const std::filesystem::path& workdir);
// Waits for `pid` and collects its output files from `workdir`.
ProcessResult wait_for(pid_t pid, const std::filesystem::path& workdir);
ProcessResult run(const std::string& binary, const std::vector<std::string>& args, const std::filesystem::path& workdir);

std::string read_file(const std::filesystem::path& path);

}  // namespace mmoe::e2e
