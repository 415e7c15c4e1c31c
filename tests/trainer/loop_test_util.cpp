#include "tests/trainer/loop_test_util.h"

#include <unistd.h>

#include <atomic>

#include "data/dataset_manifest.h"
#include "data/shard_reader.h"
#include "data/shard_writer.h"
#include "data/synth_attributes.h"

namespace mmoe::trainer::testing {

// What `mmoe synth` writes: a rewritten shard keeps it (training refuses mixed provenance).
data::ShardProvenance synthetic_provenance() {
  data::ShardProvenance provenance;
  provenance.backbone = "synthetic";
  provenance.preprocessing = "none";
  provenance.pooling = "none";
  return provenance;
}

TempDataset::TempDataset(const std::string& name, int64_t rows) {
  static std::atomic<int> counter{0};
  root_ = std::filesystem::temp_directory_path() /
          ("mmoe-" + name + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(root_);
  data::SynthAttributesOptions options;
  options.rows = rows;
  options.feature_dim = 16;
  options.seed = 0;
  data::write_synth_attributes(dir(), options);
}

TempDataset::~TempDataset() {
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

void TempDataset::set_train_price(const std::vector<int64_t>& rows, float value) const {
  auto manifest = data::load_manifest(dir());
  int64_t first = 0;
  for (auto& entry : manifest.shards) {
    if (entry.split != "train") continue;
    const auto path = dir() / entry.file;
    auto shard = data::read_shard(path, manifest.tasks, manifest.feature_dim);
    auto& price = shard.labels.at("price");
    const int64_t n = price.size(0);
    for (int64_t row : rows) {
      if (row >= first && row < first + n) price[row - first] = value;
    }
    first += n;
    entry.sha256 = data::write_shard(path, shard, manifest.tasks, synthetic_provenance());
    entry.bytes = static_cast<int64_t>(std::filesystem::file_size(path));
  }
  data::save_manifest(dir(), manifest);
}

experiments::Config small_config(const std::filesystem::path& data_dir, int64_t epochs) {
  experiments::Config config;
  config.data.dir = data_dir.string();
  config.train.epochs = epochs;
  config.train.batch_size = 64;
  config.train.seed = 0;
  config.train.device = experiments::Device::kCpu;
  config.train.num_threads = 1;
  config.model.num_experts = 2;
  config.model.expert_hidden = {16};
  config.model.tower_hidden = {8};
  return config;
}

}  // namespace mmoe::trainer::testing
