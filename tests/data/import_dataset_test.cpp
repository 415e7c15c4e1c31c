// `mmoe data import`'s library end to end: a hand-made .npy or CSV and a labels CSV become
// shards whose rows, labels and split sizes are checked against the inputs; bad inputs fail
// with a message naming the file.
#include <cstring>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/import_dataset.h"
#include "data/shard_reader.h"
#include "data/split_data.h"
#include "data_test_util.h"
#include "npy_test_util.h"

namespace mmoe::data::import_dataset_test {
namespace {

using testing::contains;
using testing::data_error_message;

class Import : public testing::DataDirTest {
 protected:
  // 20 rows x 2 features: row r = (r, -r) as float32 bit patterns built from integers.
  void SetUp() override {
    DataDirTest::SetUp();
    std::string data;
    for (int r = 0; r < kRows; ++r) {
      for (float value : {static_cast<float>(r), -static_cast<float>(r)}) {
        uint32_t bits = 0;
        std::memcpy(&bits, &value, 4);
        data += testing::f32_bits({bits});
      }
    }
    testing::write_text_file(dir_ / "f.npy", testing::npy_bytes(testing::npy_dict("<f4", false, "(20, 2)"), data));
    // sample_id 100 + r; colour: red for even rows, blue for odd, row 5 missing; size: r / 4.
    std::string csv = "sample_id,colour,size\n";
    for (int r = 0; r < kRows; ++r) {
      csv += std::to_string(100 + r) + "," + (r == 5 ? "" : r % 2 ? "blue" : "red") + "," + std::to_string(r / 4.0) + "\n";
    }
    testing::write_text_file(dir_ / "l.csv", csv);
    options_.features = dir_ / "f.npy";
    options_.labels = dir_ / "l.csv";
    options_.out_dir = dir_ / "out";
    options_.seed = 7;
  }
  static constexpr int kRows = 20;
  ImportOptions options_;
};

TEST_F(Import, EveryRowLandsInExactlyOneSplitWithItsLabels) {
  options_.rows_per_shard = 5;
  const auto result = import_dataset(options_);
  const auto manifest = load_manifest(options_.out_dir);
  EXPECT_EQ(manifest.feature_dim, 2);
  EXPECT_EQ(manifest.rows_in_split("train"), 14);  // 20 - round(3) - round(3)
  EXPECT_EQ(manifest.rows_in_split("val"), 3);
  EXPECT_EQ(manifest.rows_in_split("test"), 3);
  EXPECT_EQ(manifest.shards.size(), 5u);  // train 5 + 5 + 4, val 3, test 3
  ASSERT_EQ(manifest.tasks.size(), 2u);
  EXPECT_EQ(manifest.tasks[0].class_names, (std::vector<std::string>{"blue", "red"}));
  EXPECT_EQ(manifest.tasks[1].type, TaskType::kRegression);
  std::set<int64_t> seen;
  for (const auto& entry : manifest.shards) {
    EXPECT_EQ(entry.bytes, static_cast<int64_t>(std::filesystem::file_size(options_.out_dir / entry.file)));
    EXPECT_EQ(entry.sha256.size(), 64u);
    const auto shard = read_shard(options_.out_dir / entry.file, manifest.tasks, 2);
    for (int64_t i = 0; i < shard.features.size(0); ++i) {
      const int64_t r = shard.sample_id[i].item<int64_t>() - 100;
      EXPECT_TRUE(seen.insert(r).second) << "row " << r << " twice";
      EXPECT_EQ(shard.features[i][0].item<float>(), static_cast<float>(r));
      EXPECT_EQ(shard.features[i][1].item<float>(), -static_cast<float>(r));
      EXPECT_EQ(shard.labels.at("colour")[i].item<int64_t>(), r == 5 ? -1 : (r % 2 ? 0 : 1));
      EXPECT_EQ(shard.labels.at("size")[i][0].item<float>(), static_cast<float>(r / 4.0));
      if (i > 0) {
        EXPECT_LT(shard.sample_id[i - 1].item<int64_t>(), shard.sample_id[i].item<int64_t>());
      }
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kRows));
  // label_stats over train: its rows and how many of them have a colour.
  const auto& stats = manifest.label_stats.at("colour");
  EXPECT_EQ(stats.rows, 14);
  EXPECT_EQ(stats.class_counts[0] + stats.class_counts[1], stats.labelled);
  EXPECT_EQ(result.declared, (std::vector<bool>{false, false}));
}

TEST_F(Import, SameSeedSameSplitOtherSeedOtherSplit) {
  auto split_ids = [&](uint64_t seed, const std::string& out) {
    options_.seed = seed;
    options_.out_dir = dir_ / out;
    import_dataset(options_);
    const auto manifest = load_manifest(options_.out_dir);
    return load_split(options_.out_dir, manifest, "val", manifest.tasks).features.select(1, 0);
  };
  const auto a = split_ids(1, "a"), b = split_ids(1, "b"), c = split_ids(2, "c");
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
}

TEST_F(Import, CsvFeaturesWork) {
  std::string csv = "x,y\n";
  for (int r = 0; r < kRows; ++r) csv += std::to_string(r) + "," + std::to_string(-r) + "\n";
  testing::write_text_file(dir_ / "f.csv", csv);
  options_.features = dir_ / "f.csv";
  options_.val_fraction = 0.0;
  options_.test_fraction = 0.5;
  import_dataset(options_);
  const auto manifest = load_manifest(options_.out_dir);
  EXPECT_EQ(manifest.split_names(), (std::vector<std::string>{"train", "test"}));
  EXPECT_EQ(manifest.rows_in_split("test"), 10);
}

TEST_F(Import, RowCountMismatchNamesBothFiles) {
  testing::write_text_file(dir_ / "l.csv", "colour\nred\nblue\n");
  EXPECT_TRUE(contains(data_error_message([&] { import_dataset(options_); }),
                       "row count mismatch: " + options_.features.string() + " has 20 rows but " +
                           options_.labels.string() + " has 2 data rows"));
  EXPECT_FALSE(std::filesystem::exists(options_.out_dir / "dataset.yaml"));
}

TEST_F(Import, MissingFilesAreNamed) {
  options_.features = dir_ / "absent.npy";
  EXPECT_TRUE(contains(data_error_message([&] { import_dataset(options_); }),
                       "features file '" + (dir_ / "absent.npy").string() + "' does not exist"));
  options_.features = dir_ / "f.npy";
  options_.labels = dir_ / "absent.csv";
  EXPECT_TRUE(contains(data_error_message([&] { import_dataset(options_); }),
                       "labels file '" + (dir_ / "absent.csv").string() + "' does not exist"));
}

TEST_F(Import, UnknownFeatureFormatAndBadFractionsAreRefused) {
  testing::write_text_file(dir_ / "f.txt", "1\n");
  options_.features = dir_ / "f.txt";
  EXPECT_TRUE(contains(data_error_message([&] { import_dataset(options_); }), "unknown features format '.txt'"));
  options_.features = dir_ / "f.npy";
  options_.val_fraction = 0.6;
  options_.test_fraction = 0.4;
  EXPECT_TRUE(contains(data_error_message([&] { import_dataset(options_); }), "sum to less than 1"));
}

TEST_F(Import, AnExistingDatasetIsNotOverwritten) {
  import_dataset(options_);
  EXPECT_TRUE(contains(data_error_message([&] { import_dataset(options_); }), "already exists"));
}

TEST_F(Import, LoadingRefusesAShardWhoseSizeDiffersFromTheManifest) {
  import_dataset(options_);
  const auto manifest = load_manifest(options_.out_dir);
  std::ofstream(options_.out_dir / "val-0000.h5", std::ios::app | std::ios::binary) << "junk";
  const auto message = data_error_message([&] { load_split(options_.out_dir, manifest, "val", manifest.tasks); });
  EXPECT_TRUE(contains(message, (options_.out_dir / "val-0000.h5").string() + ": is "));
  EXPECT_TRUE(contains(message, "bytes but dataset.yaml records"));
  EXPECT_TRUE(contains(message, "mmoe data verify"));
}

}  // namespace
}  // namespace mmoe::data::import_dataset_test
