#pragma once
// Writes that survive a crash or power loss in a known state (docs/checkpoints.md, "Atomicity"):
// file contents are fsync'ed before they are named, and directory entries are fsync'ed after.
#include <filesystem>
#include <string_view>

namespace mmoe::trainer {

// Creates or truncates `path`, writes `bytes`, fsyncs the file. CheckpointError naming the path
// and the system's reason on failure.
void write_file_synced(const std::filesystem::path& path, std::string_view bytes);

// fsyncs a directory so the entries created or renamed in it are durable.
void fsync_directory(const std::filesystem::path& dir);

// Puts the complete directory `staged` in place of `target` (which may exist) in one step:
// renameat2(RENAME_EXCHANGE) swaps them atomically and the old one is removed; where the file
// system cannot exchange, `target` is first renamed aside (a crash in between leaves no
// `target`, and the previous one under "<target>.old-<pid>"). fsyncs the parent directory.
void replace_directory(const std::filesystem::path& staged, const std::filesystem::path& target);

}  // namespace mmoe::trainer
