// Training refuses shards of different provenance unless dataset.yaml allows the mix.
#include <gtest/gtest.h>

#include "data/data_error.h"
#include "data/shard_provenance.h"
#include "data/shard_writer.h"

namespace mmoe::data {
namespace {

namespace fs = std::filesystem;

TEST(ShardProvenanceTest, MixedProvenanceRefusedUnlessAllowed) {
  const auto dir = fs::temp_directory_path() / ("mmoe_provenance_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  TaskSchema task{"t", TaskType::kMulticlass, {"a", "b"}, 1};
  ShardTensors shard;
  shard.features = torch::zeros({2, 3});
  shard.sample_id = torch::arange(2, torch::kInt64);
  shard.view = torch::zeros({2}, torch::kInt32);
  shard.labels["t"] = torch::tensor({0, 1}, torch::kInt64);
  ShardProvenance dino{"dinov2.pt", "aaaa", "resize=256 crop=224 views=2", "cls"};
  auto other = dino;
  other.preprocessing = "resize=256 crop=224 views=4";
  DatasetManifest manifest;
  manifest.feature_dim = 3;
  manifest.tasks = {task};
  manifest.shards = {{"a.h5", "train", 2, write_shard(dir / "a.h5", shard, {task}, dino), 0},
                     {"b.h5", "train", 2, write_shard(dir / "b.h5", shard, {task}, dino), 0}};
  EXPECT_NO_THROW(check_shard_provenance(dir, manifest));
  EXPECT_EQ(read_shard_provenance(dir / "a.h5"),
            "backbone=dinov2.pt; weights_hash=aaaa; preprocessing=resize=256 crop=224 views=2; pooling=cls");
  manifest.shards.push_back({"c.h5", "val", 2, write_shard(dir / "c.h5", shard, {task}, other), 0});
  try {
    check_shard_provenance(dir, manifest);
    FAIL() << "mixed provenance accepted";
  } catch (const DataError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'a.h5' and 'c.h5'"), std::string::npos) << message;
    EXPECT_NE(message.find("allow_mixed_provenance"), std::string::npos) << message;
  }
  manifest.attributes[kAllowMixedProvenance] = "true";
  EXPECT_NO_THROW(check_shard_provenance(dir, manifest));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mmoe::data
