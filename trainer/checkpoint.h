#pragma once
// Checkpoint directories (docs/checkpoints.md): <train.checkpoint_dir>/<run id>/{last,best}/ with
//   state.pt       a pickled dict (torch::pickle_save; Python's torch.load reads it) holding the
//                  TrainingState, the model spec text, the resolved config and the format version
//   config.yaml    the resolved config the run trains with
//   manifest.yaml  written last: format version, kind, run id, epoch, step, config hash, and the
//                  size and sha256 of the two files above. A directory without it, or whose files
//                  do not match it, is not a complete checkpoint.
// Each checkpoint is staged in a temporary directory next to it, every file fsync'ed, then
// swapped into place (trainer/durable_write.h).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "trainer/train_state.h"

namespace mmoe::trainer {

inline constexpr int64_t kCheckpointFormatVersion = 1;
inline constexpr const char* kManifestFile = "manifest.yaml";
inline constexpr const char* kStateFile = "state.pt";
inline constexpr const char* kConfigFile = "config.yaml";

enum class CheckpointKind { kLast, kBest };
const char* to_string(CheckpointKind kind);  // "last", "best"

// What manifest.yaml says.
struct CheckpointInfo {
  std::filesystem::path dir;  // the checkpoint directory
  int64_t format_version = kCheckpointFormatVersion;
  std::string kind;  // "last" or "best"
  std::string run_id;
  int64_t epoch = 0;  // epochs completed
  int64_t global_step = 0;
  std::string config_hash;
  std::string written_at;  // ISO 8601 UTC
};

struct Checkpoint {
  CheckpointInfo info;
  std::string config_yaml;      // the resolved config
  std::string model_spec_text;  // models/model_spec_text.h
  TrainingState state;
};

// <run_dir>/<kind>/, replacing the previous one atomically. CheckpointError on I/O failure.
std::filesystem::path write_checkpoint(const std::filesystem::path& run_dir, CheckpointKind kind,
                                       const Checkpoint& checkpoint);

// The manifest of a complete checkpoint directory, after checking both files' sizes and sha256.
// nullopt when `dir` has no manifest (absent, or a write that never finished). CheckpointError
// naming the file when the manifest is unreadable, from a newer format, or a file is missing or
// does not match its checksum.
std::optional<CheckpointInfo> read_checkpoint_info(const std::filesystem::path& dir);

// A checkpoint directory from what a user typed: a checkpoint directory, a run directory (its
// 'last'), or a file inside a checkpoint directory.
std::filesystem::path checkpoint_dir_of(const std::filesystem::path& path);

// Loads and verifies the checkpoint at `path` (as checkpoint_dir_of). CheckpointError naming the
// path: missing, incomplete, corrupt, newer format, or a state.pt lacking a field.
Checkpoint load_checkpoint(const std::filesystem::path& path);

}  // namespace mmoe::trainer
