#include "trainer/checkpoint.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "core/sha256.h"
#include "tracking/timestamp.h"
#include "trainer/checkpoint_state_io.h"
#include "trainer/durable_write.h"
#include "trainer/train_error.h"

namespace mmoe::trainer {
namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError("cannot read '" + path.string() + "': no such file or not readable");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string manifest_text(const CheckpointInfo& info, const std::string& state_bytes, const std::string& config_yaml) {
  std::ostringstream out;
  out << "# mmoe checkpoint (docs/checkpoints.md); written last: without it the directory is incomplete\n"
      << "format_version: " << info.format_version << "\n"
      << "kind: " << info.kind << "\n"
      << "run_id: \"" << info.run_id << "\"\n"
      << "epoch: " << info.epoch << "\n"
      << "global_step: " << info.global_step << "\n"
      << "config_hash: \"" << info.config_hash << "\"\n"
      << "written_at: \"" << info.written_at << "\"\n"
      << "files:\n"
      << "  " << kStateFile << ": {bytes: " << state_bytes.size() << ", sha256: " << sha256_hex(state_bytes) << "}\n"
      << "  " << kConfigFile << ": {bytes: " << config_yaml.size() << ", sha256: " << sha256_hex(config_yaml) << "}\n";
  return out.str();
}

template <typename T>
T manifest_value(const YAML::Node& node, const char* key, const fs::path& file) {
  try {
    if (!node[key]) throw CheckpointError("");
    return node[key].as<T>();
  } catch (const std::exception&) {
    throw CheckpointError("checkpoint manifest '" + file.string() + "': '" + std::string(key) +
                          "' is missing or malformed; the checkpoint is damaged, use another one");
  }
}

// Size and sha256 of one file against the manifest's entry.
void verify_file(const YAML::Node& files, const char* name, const fs::path& dir, const fs::path& manifest) {
  const auto entry = files[name];
  const auto path = dir / name;
  const auto expected_bytes = manifest_value<int64_t>(entry, "bytes", manifest);
  const auto expected_sha = manifest_value<std::string>(entry, "sha256", manifest);
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) throw CheckpointError("checkpoint '" + dir.string() + "' lacks " + name + "; it is incomplete, use another one");
  if (static_cast<int64_t>(size) != expected_bytes || sha256_file_hex(path) != expected_sha) {
    throw CheckpointError("checkpoint file '" + path.string() + "' does not match its sha256 in " + kManifestFile +
                          " (corrupt or changed after writing); use another checkpoint");
  }
}

}  // namespace

const char* to_string(CheckpointKind kind) { return kind == CheckpointKind::kLast ? "last" : "best"; }

fs::path write_checkpoint(const fs::path& run_dir, CheckpointKind kind, const Checkpoint& checkpoint) {
  std::error_code ec;
  fs::create_directories(run_dir, ec);
  if (ec) {
    throw CheckpointError("cannot create checkpoint directory '" + run_dir.string() + "': " + ec.message() +
                          "; set train.checkpoint_dir to a writable directory");
  }
  const auto target = run_dir / to_string(kind);
  const auto staged = run_dir / (".staging-" + std::string(to_string(kind)) + "-" + std::to_string(::getpid()));
  fs::remove_all(staged, ec);
  fs::create_directory(staged, ec);
  if (ec) throw CheckpointError("cannot create '" + staged.string() + "': " + ec.message());

  CheckpointInfo info = checkpoint.info;
  info.format_version = kCheckpointFormatVersion;
  info.kind = to_string(kind);
  info.epoch = checkpoint.state.loop.completed_epoch;
  info.global_step = checkpoint.state.loop.global_step;
  info.written_at = tracking::now_iso8601_utc();
  Checkpoint with_info = checkpoint;
  with_info.info = info;
  const std::string state_bytes = encode_state(with_info);
  write_file_synced(staged / kStateFile, state_bytes);
  write_file_synced(staged / kConfigFile, checkpoint.config_yaml);
  write_file_synced(staged / kManifestFile, manifest_text(info, state_bytes, checkpoint.config_yaml));
  fsync_directory(staged);
  replace_directory(staged, target);
  return target;
}

std::optional<CheckpointInfo> read_checkpoint_info(const fs::path& dir) {
  const auto manifest = dir / kManifestFile;
  std::error_code ec;
  if (!fs::exists(manifest, ec)) return std::nullopt;
  YAML::Node root;
  try {
    root = YAML::LoadFile(manifest.string());
  } catch (const YAML::Exception& e) {
    throw CheckpointError("checkpoint manifest '" + manifest.string() + "' is not valid YAML (" + e.what() +
                          "); the checkpoint is damaged, use another one");
  }
  CheckpointInfo info;
  info.dir = dir;
  info.format_version = manifest_value<int64_t>(root, "format_version", manifest);
  if (info.format_version > kCheckpointFormatVersion) {
    throw CheckpointError("checkpoint '" + dir.string() + "' has format version " + std::to_string(info.format_version) +
                          "; this mmoe reads up to " + std::to_string(kCheckpointFormatVersion) +
                          "; upgrade mmoe-trainer");
  }
  info.kind = manifest_value<std::string>(root, "kind", manifest);
  info.run_id = manifest_value<std::string>(root, "run_id", manifest);
  info.epoch = manifest_value<int64_t>(root, "epoch", manifest);
  info.global_step = manifest_value<int64_t>(root, "global_step", manifest);
  info.config_hash = manifest_value<std::string>(root, "config_hash", manifest);
  info.written_at = manifest_value<std::string>(root, "written_at", manifest);
  verify_file(root["files"], kStateFile, dir, manifest);
  verify_file(root["files"], kConfigFile, dir, manifest);
  return info;
}

fs::path checkpoint_dir_of(const fs::path& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return path.parent_path();
  if (fs::is_directory(path, ec) && !fs::exists(path / kManifestFile, ec) && fs::is_directory(path / "last", ec)) {
    return path / "last";
  }
  return path;
}

Checkpoint load_checkpoint(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw CheckpointError("checkpoint '" + path.string() + "' does not exist; give a checkpoint directory such as " +
                          "checkpoints/<run id>/last");
  }
  const auto dir = checkpoint_dir_of(path);
  auto info = read_checkpoint_info(dir);
  if (!info) {
    throw CheckpointError("checkpoint '" + dir.string() + "' is incomplete (no " + kManifestFile +
                          ": its writing never finished); use another checkpoint");
  }
  Checkpoint checkpoint;
  checkpoint.info = *info;
  decode_state(read_bytes(dir / kStateFile), (dir / kStateFile).string(), checkpoint);
  return checkpoint;
}

}  // namespace mmoe::trainer
