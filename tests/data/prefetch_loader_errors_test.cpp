// Bad shards met by the streaming loader (data.cache none): ShardRowReader and the loader's own
// finiteness check are another code path than read_shard (shard_errors_test.cpp), so each bad
// input is checked here too. Every failure is a one-line DataError naming the file and the
// dataset, rethrown by PrefetchLoader::next(). Broken files are made with raw HDF5 or byte edits.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "data/prefetch_loader.h"
#include "data/shard_writer.h"
#include "data/split_data.h"
#include "data_test_util.h"

namespace mmoe::data::loader_errors_test {
namespace {

using testing::contains;
using testing::data_error_message;
using testing::fish_manifest;
using testing::fish_shard;
using testing::fish_tasks;

constexpr int64_t kDim = 3;

class LoaderErrors : public testing::DataDirTest {
 protected:
  // Shards a.h5 (6 rows) and b.h5 (8 rows) of the train split; `edit_b` breaks b.h5 after writing.
  void write(int64_t b_dim = kDim) {
    write_shard(dir_ / "a.h5", fish_shard(6, kDim), fish_tasks(), ShardProvenance{});
    write_shard(dir_ / "b.h5", fish_shard(8, b_dim), fish_tasks(), ShardProvenance{});
  }
  DatasetManifest manifest() const { return fish_manifest(kDim, {{"a.h5", "train", 6, ""}, {"b.h5", "train", 8, ""}}); }

  // The DataError of streaming the whole train split (shuffled, two workers); fails the test
  // unless the message is one line.
  std::string stream_error() {
    const auto source = split_source(dir_, manifest(), "train", fish_tasks());
    LoaderOptions options;
    options.batch_size = 4;
    options.chunk_rows = 4;
    options.shuffle_window_chunks = 1;
    options.shuffle = true;
    options.threads = 2;
    PrefetchLoader loader(source, {RowRange{0, source.rows()}}, options);
    const auto message = data_error_message([&] {
      while (loader.next()) {
      }
    });
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    return message;
  }
  std::string b() const { return (dir_ / "b.h5").string(); }
};

TEST_F(LoaderErrors, MissingShardIsNamed) {
  write();
  std::filesystem::remove(dir_ / "b.h5");
  EXPECT_TRUE(contains(stream_error(), "shard '" + b() + "' does not exist"));
}

TEST_F(LoaderErrors, CorruptShardIsNamed) {
  write();
  testing::write_text_file(dir_ / "b.h5", std::string(4096, 'x'));
  EXPECT_TRUE(contains(stream_error(), b() + ": not a readable HDF5 file (truncated or corrupt?)"));
}

TEST_F(LoaderErrors, FeatureDimDifferingFromTheDatasetNamesTheShard) {
  write(kDim + 2);
  EXPECT_TRUE(contains(stream_error(), b() + ": /features has shape [8, 5] but the dataset's feature_dim is 3"));
}

TEST_F(LoaderErrors, LabelLengthDifferingFromFeaturesIsNamed) {
  write();
  testing::replace_dataset_raw(dir_ / "b.h5", "/labels/family", torch::zeros({7}, torch::kInt32), H5T_STD_I32LE,
                               H5T_NATIVE_INT32);
  EXPECT_TRUE(contains(stream_error(), b() + ": /labels/family has 7 rows but /features has 8"));
}

TEST_F(LoaderErrors, ClassIdAtOrAboveTheClassCountNamesRowAndCount) {
  write();
  testing::replace_dataset_raw(dir_ / "b.h5", "/labels/family", torch::tensor({0, 1, 2, 0, 1, 3, 0, 1}, torch::kInt32),
                               H5T_STD_I32LE, H5T_NATIVE_INT32);
  EXPECT_TRUE(contains(stream_error(), b() + ": /labels/family row 5 has class 3 but task 'family' has 3 classes"));
}

TEST_F(LoaderErrors, NanAndInfInFeaturesNameTheShardRow) {
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::infinity()}) {
    write();
    auto features = fish_shard(8, kDim).features;
    features[6][2] = bad;
    testing::replace_dataset_raw(dir_ / "b.h5", "/features", features, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
    EXPECT_TRUE(contains(stream_error(), b() + ": /features row 6 holds NaN or Inf; re-create the shard, or train "
                                               "with data.nonfinite_features=skip"));
  }
}

TEST_F(LoaderErrors, ManifestTaskAbsentFromTheShardIsNamed) {
  write();
  auto tasks = fish_tasks();
  tasks.pop_back();  // b.h5 written without trophic
  write_shard(dir_ / "b.h5", fish_shard(8, kDim), tasks, ShardProvenance{});
  EXPECT_TRUE(contains(stream_error(), b() + ": no dataset '/labels/trophic' for task 'trophic'"));
}

TEST_F(LoaderErrors, NewerShardFormatVersionIsRefused) {
  write();
  testing::set_int_attribute_raw(dir_ / "b.h5", "/", "format_version", 2);
  EXPECT_TRUE(contains(stream_error(), b() + ": shard format version 2 is newer than this mmoe reads (1)"));
}

TEST_F(LoaderErrors, ShardRowsDifferingFromTheManifestAreNamed) {
  write();
  write_shard(dir_ / "b.h5", fish_shard(9, kDim), fish_tasks(), ShardProvenance{});
  EXPECT_TRUE(contains(stream_error(), b() + ": holds 9 rows but dataset.yaml says 8"));
}

TEST_F(LoaderErrors, EmptySplitIsRefusedBeforeStreaming) {
  auto shard = fish_shard(4, kDim);
  shard.features = shard.features.slice(0, 0, 0);
  shard.sample_id = shard.sample_id.slice(0, 0, 0);
  shard.view = shard.view.slice(0, 0, 0);
  for (auto& [name, label] : shard.labels) label = label.slice(0, 0, 0);
  write_shard(dir_ / "empty.h5", shard, fish_tasks(), ShardProvenance{});
  const auto message = data_error_message(
      [&] { split_source(dir_, fish_manifest(kDim, {{"empty.h5", "train", 0, ""}}), "train", fish_tasks()); });
  EXPECT_TRUE(contains(message, (dir_ / "dataset.yaml").string() + ": split 'train' is empty (0 rows)"));
}

// Batches before the one a bad row spoils still arrive; the error comes at that batch.
TEST_F(LoaderErrors, BatchesBeforeTheBadRowArriveFirst) {
  write();
  auto features = fish_shard(8, kDim).features;
  features[5][0] = std::numeric_limits<float>::quiet_NaN();  // split row 6 + 5 = 11: batch 2 of 4 rows
  testing::replace_dataset_raw(dir_ / "b.h5", "/features", features, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
  const auto source = split_source(dir_, manifest(), "train", fish_tasks());
  LoaderOptions options;
  options.batch_size = 4;
  options.chunk_rows = 2;
  options.shuffle_window_chunks = 1;  // 7 windows of 2 rows for 3 workers
  options.threads = 3;
  PrefetchLoader loader(source, {RowRange{0, source.rows()}}, options);
  ASSERT_TRUE(loader.next().has_value());
  ASSERT_TRUE(loader.next().has_value());
  EXPECT_TRUE(contains(data_error_message([&] { loader.next(); }), b() + ": /features row 5 holds NaN or Inf"));
}

}  // namespace
}  // namespace mmoe::data::loader_errors_test
