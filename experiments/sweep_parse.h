#pragma once
// Reading a sweep file strictly, as the config is read: unknown keys are refused with the
// nearest valid key, wrong types name their path, and the search space is checked against the
// base config before any trial starts (docs/sweeps.md).
#include <filesystem>
#include <string>
#include <string_view>

#include "experiments/sweep_spec.h"

namespace mmoe::experiments {

// Parses the sweep file's YAML (no check against the base config). `base_dir` resolves a
// relative `base`. ConfigError for syntax, unknown keys and wrong types; SweepError for values
// that cannot work (empty search space, log_uniform bound <= 0, max_trials 0, ...).
SweepSpec parse_sweep_text(std::string_view text, const std::string& source_name,
                           const std::filesystem::path& base_dir);

// Checks the spec against its base config: the base loads; every parameter path is a config
// key (nearest one suggested); every choice, and both bounds of every range, is accepted by the
// config validator when applied to the base config. Sets spec.max_epochs. SweepError naming the
// sweep file and the key otherwise.
void validate_against_base(SweepSpec& spec);

// Reads, parses and validates a sweep file.
SweepSpec load_sweep_file(const std::filesystem::path& path);
// The file's text (SweepError naming the path when it cannot be read).
std::string read_sweep_text(const std::filesystem::path& path);

}  // namespace mmoe::experiments
