#include "tests/e2e/process_runner.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mmoe::e2e {

pid_t spawn(const std::string& binary, const std::vector<std::string>& args, const std::filesystem::path& workdir) {
  const std::string out_path = (workdir / "stdout.txt").string();
  const std::string err_path = (workdir / "stderr.txt").string();
  std::vector<std::string> argv_storage = {binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (chdir(workdir.c_str()) != 0) _exit(126);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0) _exit(126);
    const int in = open("/dev/null", O_RDONLY);  // never a terminal: commands that ask refuse
    if (in < 0) _exit(126);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

ProcessResult wait_for(pid_t pid, const std::filesystem::path& workdir) {
  int status = 0;
  waitpid(pid, &status, 0);
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(workdir / "stdout.txt");
  result.err = read_file(workdir / "stderr.txt");
  return result;
}

ProcessResult run(const std::string& binary, const std::vector<std::string>& args, const std::filesystem::path& workdir) {
  return wait_for(spawn(binary, args, workdir), workdir);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace mmoe::e2e
