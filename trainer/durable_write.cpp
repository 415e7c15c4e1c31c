#include "trainer/durable_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "trainer/train_error.h"

namespace mmoe::trainer {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int code) {
  throw CheckpointError("cannot " + what + " '" + path.string() + "': " + std::strerror(code) +
                        "; check that the checkpoint directory (train.checkpoint_dir) is writable and has space");
}

void sync_fd(int fd, const std::filesystem::path& path) {
  if (::fsync(fd) != 0) {
    const int code = errno;
    ::close(fd);
    fail("fsync", path, code);
  }
}

}  // namespace

void write_file_synced(const std::filesystem::path& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("create", path, errno);
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int code = errno;
      ::close(fd);
      fail("write", path, code);
    }
    written += static_cast<size_t>(n);
  }
  sync_fd(fd, path);
  if (::close(fd) != 0) fail("close", path, errno);
}

void fsync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("open directory", dir, errno);
  sync_fd(fd, dir);
  ::close(fd);
}

void replace_directory(const std::filesystem::path& staged, const std::filesystem::path& target) {
  std::error_code ec;
  if (std::filesystem::exists(target, ec)) {
    if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
      fsync_directory(target.parent_path());
      std::filesystem::remove_all(staged, ec);  // now the previous checkpoint
      return;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) fail("exchange '" + staged.string() + "' with", target, errno);
    auto aside = target;
    aside += ".old-" + std::to_string(::getpid());
    std::filesystem::remove_all(aside, ec);
    if (std::rename(target.c_str(), aside.c_str()) != 0) fail("rename aside", target, errno);
    if (std::rename(staged.c_str(), target.c_str()) != 0) fail("rename '" + staged.string() + "' to", target, errno);
    fsync_directory(target.parent_path());
    std::filesystem::remove_all(aside, ec);
    return;
  }
  if (std::rename(staged.c_str(), target.c_str()) != 0) fail("rename '" + staged.string() + "' to", target, errno);
  fsync_directory(target.parent_path());
}

}  // namespace mmoe::trainer
