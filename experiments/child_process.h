#pragma once
// Starting and reaping trial processes (posix_spawn), for the sweep executors.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mmoe::experiments {

// Starts `argv[0]` (a path, or a name looked up on PATH) with stdin from /dev/null and stdout
// and stderr appended to `log_path`. SweepError naming the program when it cannot start.
pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& log_path);

// The exit code of `pid` if it has ended (128 + signal when killed), else nullopt; waits when
// `block`.
std::optional<int> reap_process(pid_t pid, bool block);

}  // namespace mmoe::experiments
