// mmoe synth --kind attributes: deterministic for a seed, the requested missing fraction, a
// 70/15/15 split, a manifest that matches its shards, and bad options refused.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/sha256.h"
#include "data/split_data.h"
#include "data/synth_attributes.h"
#include "data_test_util.h"

namespace mmoe::data::synth_attributes_test {
namespace {

using testing::bitwise_equal;
using testing::contains;
using testing::data_error_message;

class SynthAttributes : public testing::DataDirTest {
 protected:
  SynthAttributesOptions options(int64_t rows, uint64_t seed) const {
    SynthAttributesOptions o;
    o.rows = rows;
    o.feature_dim = 16;
    o.seed = seed;
    return o;
  }
};

// Fraction of rows whose label is missing (-1 for class ids, any NaN otherwise).
double missing_fraction(const torch::Tensor& label) {
  const auto missing = label.scalar_type() == torch::kInt64 ? label.eq(-1) : torch::isnan(label).any(1);
  return missing.to(torch::kDouble).mean().item<double>();
}

TEST_F(SynthAttributes, SameSeedGivesIdenticalDataAndAnotherSeedDiffers) {
  const auto m1 = write_synth_attributes(dir_ / "a", options(200, 5));
  const auto m2 = write_synth_attributes(dir_ / "b", options(200, 5));
  const auto m3 = write_synth_attributes(dir_ / "c", options(200, 6));
  for (const auto& split : {"train", "val", "test"}) {
    const auto a = load_split(dir_ / "a", m1, split, m1.tasks);
    const auto b = load_split(dir_ / "b", m2, split, m2.tasks);
    const auto c = load_split(dir_ / "c", m3, split, m3.tasks);
    EXPECT_TRUE(bitwise_equal(a.features, b.features)) << split;
    EXPECT_FALSE(torch::equal(a.features, c.features)) << split;
    ASSERT_EQ(a.labels.size(), 4u);
    for (size_t t = 0; t < a.labels.size(); ++t) {
      EXPECT_TRUE(bitwise_equal(a.labels[t], b.labels[t])) << split << " task " << t;
    }
    // Class ids of another seed differ somewhere (the features alone could differ by noise).
    EXPECT_FALSE(torch::equal(a.labels[0], c.labels[0])) << split;
  }
  // Same data, so the same shard bytes apart from created_at: the label statistics agree.
  EXPECT_EQ(m1.label_stats.at("category").class_counts, m2.label_stats.at("category").class_counts);
}

TEST_F(SynthAttributes, ManifestDescribesTheShardsWritten) {
  const auto written = write_synth_attributes(dir_, options(200, 1));
  const auto loaded = load_manifest(dir_);
  EXPECT_EQ(loaded.feature_dim, 16);
  ASSERT_EQ(loaded.tasks.size(), 4u);
  EXPECT_EQ(loaded.tasks[0].name, "category");
  EXPECT_EQ(loaded.tasks[0].output_dim(), 6);
  EXPECT_EQ(loaded.tasks[1].name, "color");
  EXPECT_EQ(loaded.tasks[1].output_dim(), 4);
  EXPECT_EQ(loaded.tasks[2].name, "style");
  EXPECT_EQ(loaded.tasks[2].type, TaskType::kMultilabel);
  EXPECT_EQ(loaded.tasks[2].output_dim(), 5);
  EXPECT_EQ(loaded.tasks[3].name, "price");
  EXPECT_EQ(loaded.tasks[3].type, TaskType::kRegression);
  EXPECT_EQ(loaded.tasks[3].output_dim(), 1);
  ASSERT_EQ(loaded.shards.size(), written.shards.size());
  for (const auto& shard : loaded.shards) {
    EXPECT_EQ(shard.sha256, mmoe::sha256_file_hex(dir_ / shard.file)) << shard.file;
    // The size is recorded, so load_split's size guard protects synthetic datasets too.
    EXPECT_EQ(shard.bytes, static_cast<int64_t>(std::filesystem::file_size(dir_ / shard.file))) << shard.file;
    EXPECT_FALSE(std::filesystem::exists(dir_ / (shard.file + ".partial"))) << shard.file;
  }
  EXPECT_EQ(loaded.attributes.at("seed"), "1");
  EXPECT_EQ(loaded.attributes.at("rows"), "200");
}

TEST_F(SynthAttributes, MissingFractionAndSplitsAreAsRequested) {
  const auto manifest = write_synth_attributes(dir_, options(5000, 3));
  EXPECT_EQ(manifest.split_names(), (std::vector<std::string>{"train", "val", "test"}));
  EXPECT_EQ(manifest.rows_in_split("train"), 3500);
  EXPECT_EQ(manifest.rows_in_split("val"), 750);
  EXPECT_EQ(manifest.rows_in_split("test"), 750);

  std::vector<std::vector<torch::Tensor>> parts(manifest.tasks.size());
  for (const auto& split : manifest.split_names()) {
    const auto data = load_split(dir_, manifest, split, manifest.tasks);
    EXPECT_EQ(data.rows(), manifest.rows_in_split(split));
    for (size_t t = 0; t < parts.size(); ++t) parts[t].push_back(data.labels[t]);
  }
  for (size_t t = 0; t < parts.size(); ++t) {
    const auto label = torch::cat(parts[t]);
    ASSERT_EQ(label.size(0), 5000);
    const double fraction = missing_fraction(label);
    EXPECT_NEAR(fraction, 0.2, 0.03) << manifest.tasks[t].name;
  }
  // label_stats count the train split: rows and labelled rows agree with the shards.
  const auto train = load_split(dir_, manifest, "train", manifest.tasks);
  for (size_t t = 0; t < manifest.tasks.size(); ++t) {
    const auto& stats = manifest.label_stats.at(manifest.tasks[t].name);
    EXPECT_EQ(stats.rows, 3500);
    const auto& label = train.labels[t];
    const auto labelled_rows = label.scalar_type() == torch::kInt64 ? label.ge(0) : torch::isfinite(label).all(1);
    const int64_t labelled = labelled_rows.sum().item<int64_t>();
    EXPECT_EQ(stats.labelled, labelled) << manifest.tasks[t].name;
  }
}

TEST_F(SynthAttributes, RowsPerShardSplitsEachSplitIntoNumberedShards) {
  auto o = options(200, 2);
  o.rows_per_shard = 64;  // train 140 -> 64 + 64 + 12; val 30; test 30
  const auto manifest = write_synth_attributes(dir_, o);
  ASSERT_EQ(manifest.shards.size(), 5u);
  EXPECT_EQ(manifest.shards[0].file, "train-0000.h5");
  EXPECT_EQ(manifest.shards[2].file, "train-0002.h5");
  EXPECT_EQ(manifest.shards[2].rows, 12);
  EXPECT_EQ(manifest.shards[3].file, "val-0000.h5");
  EXPECT_EQ(manifest.shards[4].file, "test-0000.h5");
}

TEST_F(SynthAttributes, BadOptionsAreRefused) {
  auto few = options(19, 0);
  EXPECT_TRUE(
      contains(data_error_message([&] { write_synth_attributes(dir_, few); }), "--rows must be >= 20 (got 19)"));
  auto all_missing = options(200, 0);
  all_missing.missing_fraction = 1.0;
  EXPECT_TRUE(contains(data_error_message([&] { write_synth_attributes(dir_, all_missing); }),
                       "--missing must be in [0, 1)"));
  auto negative = options(200, 0);
  negative.missing_fraction = -0.1;
  EXPECT_TRUE(contains(data_error_message([&] { write_synth_attributes(dir_, negative); }),
                       "--missing must be in [0, 1)"));
  // Nothing was written by the refused calls.
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

}  // namespace
}  // namespace mmoe::data::synth_attributes_test
