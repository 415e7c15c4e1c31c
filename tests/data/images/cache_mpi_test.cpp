// mmoe cache under mpirun -np 2: each rank writes its own units; the features equal a one-rank
// run's exactly (the unit plan and the augmentation draws do not depend on the world size).
#include <gtest/gtest.h>

#include <sstream>

#include <unistd.h>

#include "data/dataset_manifest.h"
#include "data/images/cache_config.h"
#include "data/images/feature_cache.h"
#include "data/images/random_conv_backbone.h"
#include "data/shard_reader.h"
#include "tests/data/images/image_test_util.h"
#include "tests/distributed/mpi_world.h"

namespace mmoe::data {
namespace {

namespace fs = std::filesystem;

std::map<std::pair<int64_t, int32_t>, torch::Tensor> rows_of(const fs::path& out) {
  const auto manifest = load_manifest(out);
  std::map<std::pair<int64_t, int32_t>, torch::Tensor> rows;
  for (const auto& shard : manifest.shards) {
    const auto tensors = read_shard(out / shard.file, manifest.tasks, manifest.feature_dim);
    for (int64_t r = 0; r < tensors.features.size(0); ++r) {
      rows[{tensors.sample_id[r].item<int64_t>(), tensors.view[r].item<int32_t>()}] = tensors.features[r];
    }
  }
  return rows;
}

void write_inputs(const fs::path& dir) {
  fs::create_directories(dir / "images");
  std::ostringstream csv;
  csv << "path,split,label\n";
  for (int i = 0; i < 14; ++i) {
    std::vector<uint8_t> rgb;
    for (int p = 0; p < 20 * 16; ++p) rgb.insert(rgb.end(), {uint8_t(i * 17), uint8_t(p % 251), uint8_t(255 - i * 9)});
    testing::write_png(dir / "images" / (std::to_string(i) + ".png"), 20, 16, testing::PngLayout::kRgb8, rgb);
    csv << "images/" << i << ".png," << (i < 10 ? "train" : "val") << "," << (i % 3 ? "a" : "b") << "\n";
  }
  csv << "images/missing.png,train,a\n";
  testing::write_text(dir / "images.csv", csv.str());
  RandomConvBackboneOptions backbone;
  backbone.channels = 6;
  backbone.grid = 2;
  make_random_conv_backbone(backbone).save((dir / "backbone.pt").string());
}

void write_config(const fs::path& dir, const std::string& out) {
  testing::write_text(dir / (out + ".yaml"),
                      "manifest: images.csv\nbackbone: backbone.pt\nout_dir: " + out +
                          "\nviews: 2\nrows_per_shard: 4\nbatch_size: 3\nthreads: 2\npooling: both\n"
                          "preprocess: {resize: 18, crop: 16}\n"
                          "augment: {coarse_dropout: {probability: 0.5, holes: 2, size: 0.25}}\n");
}

TEST(CacheMpiTest, TwoRanksWriteTheSameFeaturesAsOne) {
  auto world = distributed::testing::mpi_world();
  ASSERT_EQ(world->world_size(), 2) << "run under mpirun -np 2";
  std::vector<torch::Tensor> id = {torch::tensor({static_cast<int64_t>(::getpid())})};
  world->broadcast(id, 0);
  const auto dir = fs::temp_directory_path() / ("mmoe_cache_mpi_" + std::to_string(id[0].item<int64_t>()));
  if (world->is_root()) {
    fs::remove_all(dir);
    write_inputs(dir);
    write_config(dir, "two");
    write_config(dir, "one");
  }
  world->barrier();
  const auto two = load_cache_config(dir / "two.yaml");
  const auto mine = cache_rank(two, world->rank(), world->world_size());
  const auto written = world->all_gather(torch::tensor({mine.units_written}));  // [2, 1]
  world->barrier();
  if (world->is_root()) {
    EXPECT_GT(written[0][0].item<int64_t>(), 0);
    EXPECT_GT(written[1][0].item<int64_t>(), 0);
    const auto summary = finish_cache(two);
    EXPECT_EQ(summary.bad_images.size(), 1u);
    EXPECT_EQ(summary.manifest.rows_in_split("train"), 10 * 2);
    const auto one = load_cache_config(dir / "one.yaml");
    cache_rank(one, 0, 1);
    finish_cache(one);
    const auto rows_two = rows_of(dir / "two");
    const auto rows_one = rows_of(dir / "one");
    ASSERT_EQ(rows_two.size(), rows_one.size());
    for (const auto& [key, features] : rows_one) {
      EXPECT_TRUE(torch::equal(features, rows_two.at(key))) << "sample " << key.first << " view " << key.second;
    }
    fs::remove_all(dir);
  }
  world->barrier();
}

}  // namespace
}  // namespace mmoe::data
