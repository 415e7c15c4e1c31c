#include "experiments/child_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "experiments/sweep_spec.h"

extern char** environ;

namespace mmoe::experiments {

pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& log_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    throw SweepError(fmt::format("cannot start '{}': {}; check that it is installed and on PATH", argv[0],
                                 std::strerror(error)));
  }
  return pid;
}

std::optional<int> reap_process(pid_t pid, bool block) {
  int status = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &status, block ? 0 : WNOHANG);
    if (done == 0) return std::nullopt;
    if (done < 0 && errno == EINTR) continue;
    if (done < 0) return -1;
    break;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace mmoe::experiments
