// mmoe cache CONFIG                              features of a frozen backbone -> shards + dataset.yaml
// mmoe backbone random-conv --out FILE [...]     a small fixed TorchScript backbone (examples, tests)
// Under mpirun / srun every rank caches its part of the manifest; rank 0 writes dataset.yaml
// after a barrier (docs/cache.md).
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "data/images/cache_config.h"
#include "data/images/feature_cache.h"
#include "data/images/random_conv_backbone.h"
#include "distributed/abort_on_failure.h"
#include "distributed/communicator_factory.h"
#include "distributed/world_info.h"

namespace mmoe::cli {
namespace {

// A barrier may wait for the slowest rank's whole share of the images.
constexpr double kCacheBarrierTimeoutS = 7 * 24 * 3600.0;

struct CacheArgs {
  std::string config_path;
  std::string out;
  data::RandomConvBackboneOptions backbone;
};

int run_cache(const CacheArgs& args) {
  const auto config = data::load_cache_config(args.config_path);
  const auto world = distributed::discover_world(distributed::process_environment());
  auto communicator = distributed::make_communicator(distributed::Backend::kAuto, world, false, kCacheBarrierTimeoutS);
  const bool root = communicator->is_root();
  auto report = [](const std::string& why) { std::cerr << "mmoe: error: " << why << "\n"; };
  const auto mine = distributed::run_or_abort(
      *communicator,
      [&] {
        return data::cache_rank(config, communicator->rank(), communicator->world_size(),
                                [&](int64_t done, int64_t total) {
                                  if (root) fmt::print(stderr, "cache: rank 0 unit {}/{}\n", done, total);
                                });
      },
      report);
  fmt::print("cache: rank {} wrote {} shards ({} rows, {} images), skipped {} complete, {} bad images\n",
             communicator->rank(), mine.units_written, mine.rows, mine.images, mine.units_skipped,
             mine.bad_images.size());
  communicator->barrier();
  if (!root) return kExitOk;
  const auto summary = distributed::run_or_abort(*communicator, [&] { return data::finish_cache(config); }, report);
  int64_t rows = 0;
  for (const auto& shard : summary.manifest.shards) rows += shard.rows;
  fmt::print("wrote {} shards to {} ({} rows, feature_dim {}):", summary.manifest.shards.size(),
             config.out_dir.string(), rows, summary.manifest.feature_dim);
  for (const auto& split : summary.manifest.split_names()) {
    fmt::print(" {} {}", split, summary.manifest.rows_in_split(split));
  }
  fmt::print("\nbad images: {} of {}", summary.bad_images.size(), summary.images);
  for (const auto& [kind, count] : summary.bad_by_kind) fmt::print(" {} {}", data::to_string(kind), count);
  fmt::print(" (listed in {})\n", (config.out_dir / data::kCacheReportFileName).string());
  return kExitOk;
}

}  // namespace

void add_cache_commands(CLI::App& app, Action& action) {
  auto args = std::make_shared<CacheArgs>();
  auto* cache = app.add_subcommand("cache", "Cache frozen-backbone features of images as shards (docs/cache.md)");
  cache->add_option("config", args->config_path, "Cache config YAML (manifest, backbone, preprocess, ...)")
      ->required();
  cache->callback([args, &action] { action = [args]() -> int { return run_cache(*args); }; });

  auto* backbone = app.add_subcommand("backbone", "Write TorchScript backbones for examples and tests");
  backbone->require_subcommand(1);
  auto* random_conv = backbone->add_subcommand(
      "random-conv", "Random convolutional features: [B,3,S,S] -> tokens [B, 1 + grid^2, channels]");
  random_conv->add_option("--out", args->out, "TorchScript file to write")->required();
  random_conv->add_option("--channels", args->backbone.channels, "Token width D")->capture_default_str();
  random_conv->add_option("--grid", args->backbone.grid, "Patch tokens per side")->capture_default_str();
  random_conv->add_option("--seed", args->backbone.seed, "Seed of the random weights")->capture_default_str();
  random_conv->callback([args, &action] {
    action = [args]() -> int {
      if (args->backbone.channels < 1 || args->backbone.grid < 1) {
        throw data::DataError("backbone random-conv: --channels and --grid must be >= 1");
      }
      data::make_random_conv_backbone(args->backbone).save(args->out);
      fmt::print("wrote {} (random-conv, channels {}, grid {}, seed {})\n", args->out, args->backbone.channels,
                 args->backbone.grid, args->backbone.seed);
      return kExitOk;
    };
  });
}

}  // namespace mmoe::cli
