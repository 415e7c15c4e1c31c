#include "trainer/resume.h"

#include <fstream>
#include <map>
#include <sstream>

#include "experiments/config_params.h"
#include "trainer/train_error.h"

namespace mmoe::trainer {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEpochsKey = "train.epochs";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool epochs_grew(const std::string& before, const std::string& now) {
  try {
    return std::stoll(now) >= std::stoll(before);
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

std::vector<std::string> config_differences(const std::string& checkpoint_yaml,
                                            const experiments::LoadedConfig& current) {
  std::map<std::string, std::string> before;
  for (const auto& [key, value] : experiments::flatten_params(checkpoint_yaml)) before[key] = value;
  std::map<std::string, std::string> now(current.params.begin(), current.params.end());
  std::vector<std::string> differences;
  const auto describe = [](const std::map<std::string, std::string>& m, const std::string& key) {
    const auto found = m.find(key);
    return found == m.end() ? std::string("absent") : "'" + found->second + "'";
  };
  std::map<std::string, bool> keys;
  for (const auto& entry : before) keys[entry.first] = true;
  for (const auto& entry : now) keys[entry.first] = true;
  for (const auto& [key, unused] : keys) {
    const auto b = before.find(key);
    const auto n = now.find(key);
    if (b != before.end() && n != now.end() && b->second == n->second) continue;
    if (key == kEpochsKey && b != before.end() && n != now.end() && epochs_grew(b->second, n->second)) continue;
    differences.push_back(key + " (checkpoint: " + describe(before, key) + ", now: " + describe(now, key) + ")");
  }
  return differences;
}

void check_resumable(const Checkpoint& checkpoint, const experiments::LoadedConfig& current) {
  const auto differences = config_differences(checkpoint.config_yaml, current);
  if (!differences.empty()) {
    std::string listed;
    for (const auto& d : differences) listed += (listed.empty() ? "" : "; ") + d;
    throw CheckpointError("cannot resume from '" + checkpoint.info.dir.string() +
                          "': the config differs from the checkpoint's in " + listed +
                          "; resume with the checkpoint's config (only train.epochs may grow)");
  }
  if (checkpoint.state.loop.completed_epoch > current.config.train.epochs) {
    throw CheckpointError("cannot resume from '" + checkpoint.info.dir.string() + "': it has trained " +
                          std::to_string(checkpoint.state.loop.completed_epoch) + " epochs, more than train.epochs=" +
                          std::to_string(current.config.train.epochs));
  }
}

std::optional<CheckpointInfo> find_resumable_checkpoint(const fs::path& checkpoint_dir,
                                                        const experiments::LoadedConfig& current,
                                                        const tracking::Store& store) {
  std::error_code ec;
  if (!fs::is_directory(checkpoint_dir, ec)) return std::nullopt;
  std::optional<CheckpointInfo> newest;
  for (const auto& entry : fs::directory_iterator(checkpoint_dir, ec)) {
    const auto dir = entry.path() / "last";
    std::optional<CheckpointInfo> info;
    try {
      info = read_checkpoint_info(dir);
    } catch (const CheckpointError&) {
      continue;  // damaged: never a candidate
    }
    if (!info || (newest && info->written_at <= newest->written_at)) continue;
    if (!config_differences(read_text(dir / kConfigFile), current).empty()) continue;
    if (info->epoch > current.config.train.epochs) continue;
    try {
      if (store.get_run(info->run_id).summary.status == tracking::RunStatus::kFinished) continue;
    } catch (const tracking::StoreError&) {
      continue;  // a run of another store
    }
    newest = info;
  }
  return newest;
}

}  // namespace mmoe::trainer
