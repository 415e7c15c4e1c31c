#pragma once
// Which checkpoint `mmoe train --resume` continues from, and whether the config allows it
// (docs/checkpoints.md, "Resuming").
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "experiments/config_loader.h"
#include "tracking/store.h"
#include "trainer/checkpoint.h"

namespace mmoe::trainer {

// The flattened config keys whose values differ between the checkpoint's resolved config and the
// current one, as "key (checkpoint: a, now: b)". train.epochs may grow (it is not listed when
// the current value is larger); every other difference is listed.
std::vector<std::string> config_differences(const std::string& checkpoint_yaml, const experiments::LoadedConfig& current);

// CheckpointError naming the checkpoint and the differing keys when config_differences is not
// empty, or when the checkpoint has already trained past the current train.epochs.
void check_resumable(const Checkpoint& checkpoint, const experiments::LoadedConfig& current);

// --resume auto: the newest (by written_at) complete 'last' checkpoint under `checkpoint_dir`
// whose config differs from `current` in nothing but a grown train.epochs and whose run is in
// `store` and not finished. Incomplete or damaged checkpoints are passed over. nullopt: none.
std::optional<CheckpointInfo> find_resumable_checkpoint(const std::filesystem::path& checkpoint_dir,
                                                        const experiments::LoadedConfig& current,
                                                        const tracking::Store& store);

}  // namespace mmoe::trainer
