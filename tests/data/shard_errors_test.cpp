// Broken shards and splits: every failure is a DataError whose message names the file and the
// dataset (or attribute, or split) and the offending value. Broken files are made with the raw
// HDF5 C API or byte edits, never through mmoe::data.
#include <fstream>
#include <limits>
#include <random>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/shard_reader.h"
#include "data/shard_writer.h"
#include "data/split_data.h"
#include "data_test_util.h"

namespace mmoe::data::shard_errors_test {
namespace {

using testing::contains;
using testing::data_error_message;
using testing::fish_manifest;
using testing::fish_shard;
using testing::fish_tasks;

class ShardErrors : public testing::DataDirTest {
 protected:
  // Writes fish_shard(rows, dim) as dir_/name after `edit` changed it; returns its path.
  template <typename Edit>
  std::filesystem::path write_edited(const std::string& name, int64_t rows, int64_t dim, Edit&& edit) {
    auto shard = fish_shard(rows, dim);
    edit(shard);
    const auto path = dir_ / name;
    write_shard(path, shard, fish_tasks(), ShardProvenance{});
    return path;
  }
  std::filesystem::path write_valid(const std::string& name, int64_t rows = 6, int64_t dim = 3) {
    return write_edited(name, rows, dim, [](ShardTensors&) {});
  }
  std::string read_error(const std::filesystem::path& path, int64_t dim = 3) {
    return data_error_message([&] { read_shard(path, fish_tasks(), dim); });
  }
};

TEST_F(ShardErrors, MissingShardFileIsNamed) {
  const auto manifest = fish_manifest(3, {{"absent.h5", "train", 6, ""}});
  const auto message = data_error_message([&] { load_split(dir_, manifest, "train", fish_tasks()); });
  EXPECT_TRUE(contains(message, "shard '" + (dir_ / "absent.h5").string() + "' does not exist"));
}

TEST_F(ShardErrors, TruncatedShardIsReportedAsCorrupt) {
  const auto valid = write_valid("valid.h5", 400, 16);
  std::ifstream in(valid, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 20000u);
  const auto truncated = dir_ / "truncated.h5";
  testing::write_text_file(truncated, bytes.substr(0, bytes.size() / 2));
  const auto message = read_error(truncated, 16);
  EXPECT_TRUE(contains(message, truncated.string() + ": "));
  EXPECT_TRUE(contains(message, "truncated or corrupt"));
}

TEST_F(ShardErrors, RandomBytesAreNotAnHdf5File) {
  std::mt19937 random(7);
  std::string bytes(4096, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(random() & 0xff);
  const auto path = dir_ / "noise.h5";
  testing::write_text_file(path, bytes);
  const auto message = read_error(path);
  EXPECT_TRUE(contains(message, path.string() + ": not a readable HDF5 file"));
}

TEST_F(ShardErrors, FeatureDimDifferingBetweenShardsNamesTheOddShard) {
  write_valid("a.h5", 6, 4);
  const auto odd = write_valid("b.h5", 6, 5);
  const auto manifest = fish_manifest(4, {{"a.h5", "train", 6, ""}, {"b.h5", "train", 6, ""}});
  const auto message = data_error_message([&] { load_split(dir_, manifest, "train", fish_tasks()); });
  EXPECT_TRUE(contains(message, odd.string() + ": /features has shape [6, 5] but the dataset's feature_dim is 4"));
}

TEST_F(ShardErrors, LabelLengthDifferingFromFeaturesIsNamed) {
  const auto path = write_valid("s.h5");
  testing::replace_dataset_raw(path, "/labels/family", torch::zeros({5}, torch::kInt32), H5T_STD_I32LE,
                               H5T_NATIVE_INT32);
  EXPECT_TRUE(contains(read_error(path), path.string() + ": /labels/family has 5 rows but /features has 6"));
}

TEST_F(ShardErrors, MaskLengthDifferingFromFeaturesIsNamed) {
  const auto path = write_valid("s.h5");
  testing::replace_dataset_raw(path, "/label_masks/habitat", torch::ones({7}, torch::kUInt8), H5T_STD_U8LE,
                               H5T_NATIVE_UINT8);
  EXPECT_TRUE(contains(read_error(path), path.string() + ": /label_masks/habitat has 7 rows but /features has 6"));
}

TEST_F(ShardErrors, SampleIdLengthDifferingFromFeaturesIsNamed) {
  const auto path = write_valid("s.h5");
  testing::replace_dataset_raw(path, "/sample_id", torch::arange(4, torch::kInt64), H5T_STD_I64LE,
                               H5T_NATIVE_INT64);
  EXPECT_TRUE(contains(read_error(path), path.string() + ": /sample_id has 4 rows but /features has 6"));
}

TEST_F(ShardErrors, MissingViewDatasetIsNamed) {
  const auto path = write_valid("s.h5");
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  EXPECT_GE(H5Ldelete(file, "/view", H5P_DEFAULT), 0);
  H5Fclose(file);
  EXPECT_TRUE(contains(read_error(path), path.string() + ": dataset '/view' is missing"));
}

// The writer refuses bad labels (see WriterRefuses...), so these shards are broken with raw HDF5.
std::filesystem::path with_family_ids(const std::filesystem::path& path, const torch::Tensor& ids) {
  testing::replace_dataset_raw(path, "/labels/family", ids.to(torch::kInt32).contiguous(), H5T_STD_I32LE, H5T_NATIVE_INT32);
  return path;
}

TEST_F(ShardErrors, ClassIdAtOrAboveTheClassCountNamesRowAndCount) {
  const auto path = with_family_ids(write_valid("s.h5"), torch::tensor({0, -1, 2, 0, 3, 2}));
  EXPECT_TRUE(contains(read_error(path), path.string() + ": /labels/family row 4 has class 3 but task 'family' has 3 "
                                                         "classes (valid: 0..2, -1 = missing)"));
}

TEST_F(ShardErrors, ClassIdBelowMinusOneNamesTheRow) {
  const auto path = with_family_ids(write_valid("s.h5"), torch::tensor({-2, -1, 2, 0, 1, 2}));
  EXPECT_TRUE(contains(read_error(path), path.string() + ": /labels/family row 0 has class -2"));
}

TEST_F(ShardErrors, MultilabelValueOtherThanZeroOrOneIsNamed) {
  const auto path = write_valid("s.h5");
  auto bits = torch::zeros({6, 4}, torch::kUInt8);
  bits[3][1] = 2;
  testing::replace_dataset_raw(path, "/labels/habitat", bits, H5T_STD_U8LE, H5T_NATIVE_UINT8);
  EXPECT_TRUE(contains(read_error(path), path.string() + ": /labels/habitat holds values other than 0 and 1"));
}

TEST_F(ShardErrors, MulticlassLabelsOfShapeNByOneAreRefused) {
  const auto path = with_family_ids(write_valid("s.h5"), torch::tensor({0, -1, 2, 0, 1, 2}).view({6, 1}));
  EXPECT_TRUE(contains(read_error(path), path.string() + ": /labels/family must be [N] class ids"));
}

TEST_F(ShardErrors, WriterRefusesLabelsTheReaderWouldRefuse) {
  const auto out_of_range = data_error_message([&] {
    write_edited("a.h5", 6, 3, [](ShardTensors& s) { s.labels["family"][4] = 3; });
  });
  EXPECT_TRUE(contains(out_of_range, "labels of task 'family' must be class ids in [-1, 3)"));
  const auto not_binary = data_error_message([&] {
    write_edited("b.h5", 6, 3, [](ShardTensors& s) { s.labels["habitat"][3][1] = 2.0f; });
  });
  EXPECT_TRUE(contains(not_binary, "labels of task 'habitat' must be 0/1"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "a.h5"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "b.h5"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "b.h5.partial"));  // a partial shard never survives
}

TEST_F(ShardErrors, NanInFeaturesNamesTheRow) {
  const auto path = write_edited("s.h5", 6, 3, [](ShardTensors& s) {
    s.features[3][1] = std::numeric_limits<float>::quiet_NaN();
  });
  EXPECT_TRUE(contains(read_error(path), path.string() + ": /features row 3 holds NaN or Inf"));
}

TEST_F(ShardErrors, InfInFeaturesNamesTheRow) {
  const auto path = write_edited("s.h5", 6, 3, [](ShardTensors& s) {
    s.features[5][0] = -std::numeric_limits<float>::infinity();
  });
  EXPECT_TRUE(contains(read_error(path), path.string() + ": /features row 5 holds NaN or Inf"));
}

TEST_F(ShardErrors, SkipPolicyDropsNonFiniteRowsFromEveryTensorAndCountsThem) {
  const auto path = write_edited("s.h5", 6, 3, [](ShardTensors& s) {
    s.features[1][2] = std::numeric_limits<float>::quiet_NaN();
    s.features[4][0] = std::numeric_limits<float>::infinity();
  });
  EXPECT_TRUE(contains(read_error(path), "or train with data.nonfinite_features=skip"));
  const auto shard = read_shard(path, fish_tasks(), 3, NonFiniteRows::kSkip);
  EXPECT_EQ(shard.skipped_rows, 2);
  // The kept rows are 0, 2, 3, 5 of fish_shard(6, 3): sample_id = 1000 + row, features row * 10 + ...
  const auto expected = fish_shard(6, 3);
  const auto keep = torch::tensor({0, 2, 3, 5}, torch::kLong);
  EXPECT_TRUE(testing::bitwise_equal(shard.sample_id, expected.sample_id.index_select(0, keep)));
  EXPECT_TRUE(testing::bitwise_equal(shard.features, expected.features.index_select(0, keep)));
  EXPECT_TRUE(testing::bitwise_equal(shard.view, expected.view.index_select(0, keep)));
  for (const auto& task : fish_tasks()) {
    EXPECT_TRUE(testing::bitwise_equal(shard.labels.at(task.name), expected.labels.at(task.name).index_select(0, keep)))
        << task.name;
  }
  // A clean shard skips nothing.
  const auto clean = read_shard(write_valid("c.h5"), fish_tasks(), 3, NonFiniteRows::kSkip);
  EXPECT_EQ(clean.skipped_rows, 0);
}

TEST_F(ShardErrors, LoadSplitCountsSkippedRowsAndRefusesASplitLeftEmpty) {
  write_edited("a.h5", 4, 3, [](ShardTensors& s) { s.features[2][2] = std::numeric_limits<float>::quiet_NaN(); });
  write_edited("b.h5", 4, 3, [](ShardTensors& s) { s.features.fill_(std::numeric_limits<float>::quiet_NaN()); });
  const auto manifest = fish_manifest(3, {{"a.h5", "train", 4, ""}, {"b.h5", "val", 4, ""}});
  const auto train = load_split(dir_, manifest, "train", fish_tasks(), NonFiniteRows::kSkip);
  EXPECT_EQ(train.rows(), 3);
  EXPECT_EQ(train.skipped_rows, 1);
  EXPECT_EQ(data_error_message([&] { load_split(dir_, manifest, "val", fish_tasks(), NonFiniteRows::kSkip); }),
            (dir_ / "dataset.yaml").string() + ": split 'val' is empty (0 rows, after skipping 4 with NaN or Inf features)");
}

TEST_F(ShardErrors, NewerShardFormatVersionIsRefused) {
  const auto path = write_valid("s.h5");
  testing::set_int_attribute_raw(path, "/", "format_version", 2);
  const auto message = read_error(path);
  EXPECT_TRUE(contains(message, path.string() + ": shard format version 2 is newer than this mmoe reads (1)"));
}

TEST_F(ShardErrors, MissingFormatVersionAttributeIsNamed) {
  const auto path = write_valid("s.h5");
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  EXPECT_GE(H5Adelete(file, "format_version"), 0);
  H5Fclose(file);
  EXPECT_TRUE(contains(read_error(path), path.string() + ": attribute 'format_version' is missing"));
}

TEST_F(ShardErrors, ManifestTaskAbsentFromTheShardIsNamed) {
  const auto path = dir_ / "s.h5";
  auto tasks = fish_tasks();
  tasks.pop_back();  // written without trophic
  write_shard(path, fish_shard(6, 3), tasks, ShardProvenance{});
  EXPECT_TRUE(contains(read_error(path), path.string() + ": no dataset '/labels/trophic' for task 'trophic'"));
}

TEST_F(ShardErrors, EmptySplitIsRefused) {
  auto shard = fish_shard(4, 3);
  shard.features = shard.features.slice(0, 0, 0);
  shard.sample_id = shard.sample_id.slice(0, 0, 0);
  shard.view = shard.view.slice(0, 0, 0);
  for (auto& [name, label] : shard.labels) label = label.slice(0, 0, 0);
  write_shard(dir_ / "empty.h5", shard, fish_tasks(), ShardProvenance{});
  // The empty shard itself reads back as 0 rows of the declared shapes.
  const auto back = read_shard(dir_ / "empty.h5", fish_tasks(), 3);
  EXPECT_EQ(back.features.sizes(), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(back.labels.at("habitat").sizes(), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(back.labels.at("trophic").sizes(), (std::vector<int64_t>{0, 2}));

  const auto manifest = fish_manifest(3, {{"empty.h5", "train", 0, ""}});
  const auto message = data_error_message([&] { load_split(dir_, manifest, "train", fish_tasks()); });
  EXPECT_TRUE(contains(message, (dir_ / "dataset.yaml").string() + ": split 'train' is empty (0 rows)"));
}

TEST_F(ShardErrors, SplitWithoutShardsListsTheSplits) {
  write_valid("a.h5");
  write_valid("b.h5");
  const auto manifest = fish_manifest(3, {{"a.h5", "train", 6, ""}, {"b.h5", "val", 6, ""}});
  const auto message = data_error_message([&] { load_split(dir_, manifest, "test", fish_tasks()); });
  EXPECT_TRUE(contains(message, (dir_ / "dataset.yaml").string() +
                                    ": split 'test' has no shards (splits: train, val)"));
}

TEST_F(ShardErrors, ManifestRowsDifferingFromTheShardAreNamed) {
  const auto path = write_valid("a.h5");
  const auto manifest = fish_manifest(3, {{"a.h5", "train", 7, ""}});
  const auto message = data_error_message([&] { load_split(dir_, manifest, "train", fish_tasks()); });
  EXPECT_TRUE(contains(message, path.string() + ": holds 6 rows but dataset.yaml says 7"));
}

TEST_F(ShardErrors, LoadSplitConcatenatesShardsInManifestOrder) {
  write_valid("a.h5", 4, 3);
  write_valid("b.h5", 6, 3);
  write_valid("c.h5", 5, 3);
  const auto manifest = fish_manifest(3, {{"b.h5", "train", 6, ""}, {"c.h5", "val", 5, ""}, {"a.h5", "train", 4, ""}});
  auto tasks = fish_tasks();
  std::swap(tasks[0], tasks[2]);  // the model's order: trophic, habitat, family
  const auto split = load_split(dir_, manifest, "train", tasks);
  EXPECT_EQ(split.split, "train");
  EXPECT_EQ(split.rows(), 10);
  EXPECT_TRUE(
      testing::bitwise_equal(split.features, torch::cat({fish_shard(6, 3).features, fish_shard(4, 3).features})));
  ASSERT_EQ(split.labels.size(), 3u);
  EXPECT_TRUE(testing::bitwise_equal(split.labels[0], torch::cat({fish_shard(6, 3).labels.at("trophic"),
                                                                  fish_shard(4, 3).labels.at("trophic")})));
  EXPECT_TRUE(testing::bitwise_equal(split.labels[2], torch::cat({fish_shard(6, 3).labels.at("family"),
                                                                  fish_shard(4, 3).labels.at("family")})));
}

}  // namespace
}  // namespace mmoe::data::shard_errors_test
