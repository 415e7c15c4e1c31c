#pragma once
// --feature-dtype and --gzip, shared by every command that writes shards (synth, data import).
#include <CLI/CLI.hpp>

#include "data/shard_format.h"

namespace mmoe::cli {

// Binds the flags to `options`, which must outlive the parse.
void add_shard_write_flags(CLI::App& cmd, data::ShardWriteOptions& options);

}  // namespace mmoe::cli
