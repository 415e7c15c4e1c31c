// `mmoe data info`'s library: label summaries against counts, means and standard deviations
// worked out by hand from the fish shard of data_test_util.h.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/dataset_info.h"
#include "data/shard_writer.h"
#include "data_test_util.h"

namespace mmoe::data::dataset_info_test {
namespace {

using testing::contains;
using testing::fish_shard;
using testing::fish_tasks;

class DatasetInfo : public testing::DataDirTest {
 protected:
  // train-0000.h5 = fish_shard(6, 3), val-0000.h5 = fish_shard(4, 3).
  void write_dataset() {
    const auto train = write_shard(dir_ / "train-0000.h5", fish_shard(6, 3), fish_tasks(), ShardProvenance{});
    const auto val = write_shard(dir_ / "val-0000.h5", fish_shard(4, 3), fish_tasks(), ShardProvenance{});
    save_manifest(dir_, testing::fish_manifest(3, {{"train-0000.h5", "train", 6, train}, {"val-0000.h5", "val", 4, val}}));
  }
};

// fish_shard(6, .): family = 0, -1, 2, 0, 1, 2; habitat = bits of the row (row 2 missing);
// trophic = (row / 2, -row) with trophic[3][1] = NaN.
TEST_F(DatasetInfo, SummariesOfSixFishRows) {
  const auto shard = fish_shard(6, 3);
  const auto tasks = fish_tasks();
  const auto family = summarize_labels(tasks[0], shard.labels.at("family"));
  EXPECT_EQ(family.rows, 6);
  EXPECT_EQ(family.labelled, 5);
  EXPECT_EQ(family.class_counts, (std::vector<int64_t>{2, 1, 2}));
  // Labelled rows 0, 1, 3, 4, 5: 0000, 1000, 1100, 0010, 1010 (bit c of the row).
  const auto habitat = summarize_labels(tasks[1], shard.labels.at("habitat"));
  EXPECT_EQ(habitat.labelled, 5);
  EXPECT_EQ(habitat.class_counts, (std::vector<int64_t>{3, 1, 2, 0}));
  // Labelled rows 0, 1, 2, 4, 5: outputs (0, 0.5, 1, 2, 2.5) and (0, -1, -2, -4, -5).
  const auto trophic = summarize_labels(tasks[2], shard.labels.at("trophic"));
  EXPECT_EQ(trophic.labelled, 5);
  EXPECT_TRUE(trophic.class_counts.empty());
  ASSERT_EQ(trophic.mean.size(), 2u);
  EXPECT_NEAR(trophic.mean[0], 1.2, 1e-12);
  EXPECT_NEAR(trophic.mean[1], -2.4, 1e-12);
  EXPECT_NEAR(trophic.stddev[0], std::sqrt(4.3 / 5.0), 1e-12);
  EXPECT_NEAR(trophic.stddev[1], std::sqrt(17.2 / 5.0), 1e-12);
  EXPECT_NEAR(trophic.coverage(), 5.0 / 6.0, 1e-12);
}

TEST_F(DatasetInfo, RegressionWithoutLabelsHasNanMean) {
  TaskSchema task{"r", TaskType::kRegression, {}, 1};
  const auto summary = summarize_labels(task, torch::full({3, 1}, std::nanf("")));
  EXPECT_EQ(summary.labelled, 0);
  EXPECT_TRUE(std::isnan(summary.mean[0]));
}

TEST_F(DatasetInfo, ReadsShardsAndSplitsFromDisk) {
  write_dataset();
  const auto report = dataset_info(dir_);
  EXPECT_EQ(report.feature_dim, 3);
  ASSERT_EQ(report.shards.size(), 2u);
  EXPECT_EQ(report.shards[0].rows, 6);
  EXPECT_EQ(report.shards[0].bytes, static_cast<int64_t>(std::filesystem::file_size(dir_ / "train-0000.h5")));
  EXPECT_EQ(report.shards[1].rows, 4);
  EXPECT_EQ(report.split_rows, (std::vector<std::pair<std::string, int64_t>>{{"train", 6}, {"val", 4}}));
  ASSERT_EQ(report.tasks.size(), 3u);
  // val = fish_shard(4, .): family 0, -1, 2, 0; habitat rows 0, 1, 3 = 0000, 1000, 1100;
  // trophic rows 0, 1, 2 = (0, 0), (0.5, -1), (1, -2).
  const auto& family_val = report.tasks[0].splits[1];
  EXPECT_EQ(family_val.split, "val");
  EXPECT_EQ(family_val.summary.labelled, 3);
  EXPECT_EQ(family_val.summary.class_counts, (std::vector<int64_t>{2, 0, 1}));
  EXPECT_EQ(report.tasks[1].splits[1].summary.class_counts, (std::vector<int64_t>{2, 1, 0, 0}));
  const auto& trophic_val = report.tasks[2].splits[1].summary;
  EXPECT_EQ(trophic_val.labelled, 3);
  EXPECT_NEAR(trophic_val.mean[0], 0.5, 1e-12);
  EXPECT_NEAR(trophic_val.mean[1], -1.0, 1e-12);
  EXPECT_NEAR(trophic_val.stddev[0], std::sqrt(0.5 / 3.0), 1e-12);
  EXPECT_NEAR(trophic_val.stddev[1], std::sqrt(2.0 / 3.0), 1e-12);
  EXPECT_EQ(report.tasks[0].splits[0].summary.class_counts, (std::vector<int64_t>{2, 1, 2}));
}

TEST_F(DatasetInfo, MissingShardIsNamed) {
  write_dataset();
  std::filesystem::remove(dir_ / "val-0000.h5");
  EXPECT_TRUE(contains(testing::data_error_message([&] { dataset_info(dir_); }),
                       "shard '" + (dir_ / "val-0000.h5").string() + "' does not exist"));
}

}  // namespace
}  // namespace mmoe::data::dataset_info_test
