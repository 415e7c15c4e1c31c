#pragma once
// Range checks for a parsed Config: one function per section, bounds as documented in
// config.h and docs/config.md. Every message names the key, the bound and the bad value.
#include "experiments/config.h"
#include "experiments/config_sources.h"

namespace mmoe::experiments {

// Throws ConfigError on the first value out of range, checking sections in file order
// (data, model, tasks, optim, scheduler, train, distributed, tracking).
void validate_config(const Config& config, const ConfigSources& sources);

}  // namespace mmoe::experiments
