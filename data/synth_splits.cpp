#include "data/synth_splits.h"

#include <fmt/format.h>

#include "data/shard_writer.h"

namespace mmoe::data {

std::vector<SplitRange> synth_split_ranges(int64_t rows) {
  const int64_t train_end = rows * 70 / 100;
  const int64_t val_end = rows * 85 / 100;
  return {{"train", 0, train_end}, {"val", train_end, val_end}, {"test", val_end, rows}};
}

std::vector<ShardEntry> write_synth_shards(const std::filesystem::path& out_dir, const torch::Tensor& features,
                                           const std::vector<torch::Tensor>& labels,
                                           const std::vector<TaskSchema>& tasks, int64_t rows_per_shard,
                                           const ShardWriteOptions& write_options) {
  ShardProvenance provenance;
  provenance.backbone = "synthetic";
  provenance.preprocessing = "none";
  provenance.pooling = "none";
  std::vector<ShardEntry> entries;
  for (const auto& range : synth_split_ranges(features.size(0))) {
    int64_t index = 0;
    for (int64_t start = range.begin; start < range.end; start += rows_per_shard, ++index) {
      const int64_t stop = std::min(range.end, start + rows_per_shard);
      ShardTensors shard;
      shard.features = features.slice(0, start, stop);
      shard.sample_id = torch::arange(start, stop, torch::kInt64);
      shard.view = torch::zeros({stop - start}, torch::kInt32);
      for (size_t t = 0; t < tasks.size(); ++t) shard.labels[tasks[t].name] = labels[t].slice(0, start, stop);
      const std::string file = fmt::format("{}-{:04d}.h5", range.split, index);
      const std::string checksum = write_shard(out_dir / file, shard, tasks, provenance, write_options);
      const auto bytes = static_cast<int64_t>(std::filesystem::file_size(out_dir / file));
      entries.push_back({file, range.split, stop - start, checksum, bytes});
    }
  }
  return entries;
}

}  // namespace mmoe::data
