#include "tracking/gnuplot_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

extern char** environ;

namespace mmoe::tracking {
namespace {

namespace fs = std::filesystem;

struct SpawnResult {
  int spawn_error = 0;  // errno of posix_spawnp; 0 when the process ran
  int status = 0;       // waitpid status
};

// Runs argv with stdout to /dev/null and stderr to `stderr_path`.
SpawnResult spawn_and_wait(const std::vector<std::string>& args, const fs::path& stderr_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  SpawnResult result;
  result.spawn_error = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (result.spawn_error != 0) return result;
  while (waitpid(pid, &result.status, 0) < 0) {
    if (errno != EINTR) {
      result.spawn_error = errno;
      break;
    }
  }
  return result;
}

std::string first_error_line(const fs::path& stderr_path) {
  std::ifstream in(stderr_path);
  std::string line;
  std::string last_nonempty;
  // gnuplot echoes the failing command, then a line with '^', then "file, line N: message".
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t^") == std::string::npos) continue;
    last_nonempty = line;
    if (line.find("line ") != std::string::npos && line.find(':') != std::string::npos) return line;
  }
  return last_nonempty.empty() ? "no message on stderr" : last_nonempty;
}

}  // namespace

void run_gnuplot(const fs::path& script, const std::string& executable) {
  const fs::path stderr_path = fs::path(script).concat(".stderr");
  const SpawnResult result = spawn_and_wait({executable, script.string()}, stderr_path);
  if (result.spawn_error == ENOENT) {
    throw GnuplotMissingError(fmt::format(
        "'{}' is not installed (not found on PATH); plots need it: apt-get install gnuplot-nox",
        executable));
  }
  if (result.spawn_error != 0) {
    throw ReportError(fmt::format("cannot run '{}' on {}: {}", executable, script.string(),
                                  std::strerror(result.spawn_error)));
  }
  if (WIFSIGNALED(result.status)) {
    throw ReportError(fmt::format("'{}' died of signal {} on {}", executable, WTERMSIG(result.status),
                                  script.string()));
  }
  if (WEXITSTATUS(result.status) != 0) {
    throw ReportError(fmt::format("'{}' failed (exit {}) on {}: {}", executable,
                                  WEXITSTATUS(result.status), script.string(),
                                  first_error_line(stderr_path)));
  }
}

bool gnuplot_available(const std::string& executable) {
  const SpawnResult result = spawn_and_wait({executable, "--version"}, "/dev/null");
  return result.spawn_error == 0 && WIFEXITED(result.status) && WEXITSTATUS(result.status) == 0;
}

}  // namespace mmoe::tracking
