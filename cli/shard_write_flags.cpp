#include "cli/shard_write_flags.h"

namespace mmoe::cli {

void add_shard_write_flags(CLI::App& cmd, data::ShardWriteOptions& options) {
  cmd.add_option_function<std::string>(
         "--feature-dtype", [&options](const std::string& dtype) { options.float16_features = dtype == "float16"; },
         "Stored feature type: float32 (default) or float16 (half the size; read back as float32)")
      ->check(CLI::IsMember({"float32", "float16"}));
  cmd.add_option("--gzip", options.gzip_level, "Compress the features (shuffle + deflate): 0 = off (default), 1..9 = level")
      ->check(CLI::Range(0, 9))
      ->capture_default_str();
}

}  // namespace mmoe::cli
