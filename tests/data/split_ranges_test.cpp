// Splits given as row ranges of shards (the `splits:` block of dataset.yaml): the manifest
// round-trips them and refuses bad ones naming the split and file; load_split, the streaming
// loader, load_split_labels and `data info` see exactly the rows of each range, compared with
// slices of the whole shards read without ranges.
#include <gtest/gtest.h>

#include "data/dataset_info.h"
#include "data/prefetch_loader.h"
#include "data/shard_reader.h"
#include "data/shard_writer.h"
#include "data/split_data.h"
#include "data_test_util.h"

namespace mmoe::data::split_ranges_test {
namespace {

using testing::bitwise_equal;
using testing::contains;
using testing::data_error_message;
using testing::fish_tasks;
using testing::write_text_file;

constexpr int64_t kDim = 4;

// Three shards: a.h5 (10 rows) as train rows [0, 6) and val rows [6, 10); b.h5 (8 rows) a whole
// train shard; c.h5 (5 rows) as test rows [0, 3) and train rows [3, 5).
class SplitRanges : public testing::DataDirTest {
 protected:
  void SetUp() override {
    DataDirTest::SetUp();
    const std::vector<std::pair<std::string, int64_t>> files = {{"a.h5", 10}, {"b.h5", 8}, {"c.h5", 5}};
    for (size_t k = 0; k < files.size(); ++k) {
      auto shard = testing::fish_shard(files[k].second, kDim);
      shard.features += 100.0F * static_cast<float>(k);  // unique per shard
      write_shard(dir_ / files[k].first, shard, fish_tasks(), ShardProvenance{});
      whole_[files[k].first] = read_shard(dir_ / files[k].first, fish_tasks(), kDim);
    }
    manifest_ = testing::fish_manifest(kDim, {ShardEntry{"a.h5", "", 10, "", 0}, ShardEntry{"b.h5", "train", 8, "", 0},
                                              ShardEntry{"c.h5", "", 5, "", 0}});
    manifest_.split_ranges = {{"train", {SplitRowRange{"a.h5", 0, 6}, SplitRowRange{"c.h5", 3, 5}}},
                              {"val", {SplitRowRange{"a.h5", 6, 10}}},
                              {"test", {SplitRowRange{"c.h5", 0, 3}}}};
    save_manifest(dir_, manifest_);
  }

  // Rows [begin, end) of a whole shard's features.
  torch::Tensor rows_of(const std::string& file, int64_t begin, int64_t end) {
    return whole_.at(file).features.slice(0, begin, end);
  }

  // A manifest text with a.h5 (10 rows, no split) and the given `splits:` block.
  void write_manifest_with_splits(const std::string& splits, const std::string& a_split = "") {
    write_text_file(dir_ / "dataset.yaml",
                    "format_version: 1\nfeature_dim: 4\ntasks:\n  - {name: family, type: multiclass, classes: [a, b, c]}\n"
                    "shards:\n  - {file: a.h5, " +
                        (a_split.empty() ? std::string() : "split: " + a_split + ", ") +
                        "rows: 10, sha256: ''}\nsplits:\n" + splits);
  }

  DatasetManifest manifest_;
  std::map<std::string, ShardTensors> whole_;
};

TEST_F(SplitRanges, ManifestRoundTripsTheRangesAndCountsRowsPerSplit) {
  const auto loaded = load_manifest(dir_);
  ASSERT_EQ(loaded.split_ranges.size(), 3u);
  EXPECT_EQ(loaded.split_ranges[0].first, "train");
  EXPECT_EQ(loaded.split_ranges[0].second[1].file, "c.h5");
  EXPECT_EQ(loaded.split_ranges[0].second[1].begin, 3);
  EXPECT_EQ(loaded.split_ranges[0].second[1].end, 5);
  EXPECT_EQ(loaded.shards[0].split, "");
  EXPECT_EQ(loaded.split_names(), (std::vector<std::string>{"train", "val", "test"}));
  EXPECT_EQ(loaded.rows_in_split("train"), 8 + 6 + 2);  // b whole, then a [0, 6), c [3, 5)
  EXPECT_EQ(loaded.rows_in_split("val"), 4);
  EXPECT_EQ(loaded.rows_in_split("test"), 3);
}

TEST_F(SplitRanges, LoadSplitReadsWholeShardsThenRangesInOrder) {
  const auto train = load_split(dir_, load_manifest(dir_), "train", fish_tasks());
  const auto expected = torch::cat({rows_of("b.h5", 0, 8), rows_of("a.h5", 0, 6), rows_of("c.h5", 3, 5)});
  EXPECT_TRUE(bitwise_equal(train.features, expected));
  const auto family = torch::cat({whole_.at("b.h5").labels.at("family"), whole_.at("a.h5").labels.at("family").slice(0, 0, 6),
                                  whole_.at("c.h5").labels.at("family").slice(0, 3, 5)});
  EXPECT_TRUE(bitwise_equal(train.labels[0], family));
  const auto val = load_split(dir_, load_manifest(dir_), "val", fish_tasks());
  EXPECT_TRUE(bitwise_equal(val.features, rows_of("a.h5", 6, 10)));
  EXPECT_TRUE(bitwise_equal(val.labels[2], whole_.at("a.h5").labels.at("trophic").slice(0, 6, 10)));
}

TEST_F(SplitRanges, StreamingLoaderAndLabelsOnlyReadTheSameRows) {
  const auto manifest = load_manifest(dir_);
  const auto oracle = load_split(dir_, manifest, "train", fish_tasks());
  const auto source = split_source(dir_, manifest, "train", fish_tasks());
  ASSERT_EQ(source.rows(), 16);
  LoaderOptions options;
  options.batch_size = 5;
  options.chunk_rows = 3;
  PrefetchLoader loader(source, {RowRange{0, source.rows()}}, options);
  std::vector<torch::Tensor> features, family;
  while (auto batch = loader.next()) {
    features.push_back(batch->features);
    family.push_back(batch->labels[0]);
  }
  EXPECT_TRUE(bitwise_equal(torch::cat(features), oracle.features));
  EXPECT_TRUE(bitwise_equal(torch::cat(family), oracle.labels[0]));
  const auto labels = load_split_labels(source);
  for (size_t t = 0; t < oracle.labels.size(); ++t) EXPECT_TRUE(bitwise_equal(labels.labels[t], oracle.labels[t]));
}

TEST_F(SplitRanges, NonFiniteRowsOutsideTheRangeDoNotMatterAndInsideAreNamedWithTheShardRow) {
  auto shard = testing::fish_shard(10, kDim);
  shard.features[8][1] = std::numeric_limits<float>::quiet_NaN();  // a val row of a.h5
  write_shard(dir_ / "a.h5", shard, fish_tasks(), ShardProvenance{});
  const auto manifest = load_manifest(dir_);
  EXPECT_NO_THROW(load_split(dir_, manifest, "train", fish_tasks()));
  const auto message = data_error_message([&] { load_split(dir_, manifest, "val", fish_tasks()); });
  EXPECT_TRUE(contains(message, "a.h5")) << message;
  EXPECT_TRUE(contains(message, "row 8")) << message;
  const auto skipped = load_split(dir_, manifest, "val", fish_tasks(), NonFiniteRows::kSkip);
  EXPECT_EQ(skipped.rows(), 3);
  EXPECT_EQ(skipped.skipped_rows, 1);
}

TEST_F(SplitRanges, AShardThatLostRowsIsNamedEvenWhenTheRangeStillFits) {
  write_shard(dir_ / "a.h5", testing::fish_shard(8, kDim), fish_tasks(), ShardProvenance{});
  const auto message = data_error_message([&] { load_split(dir_, load_manifest(dir_), "train", fish_tasks()); });
  EXPECT_TRUE(contains(message, "a.h5: holds 8 rows but dataset.yaml says 10")) << message;
}

TEST_F(SplitRanges, DataInfoCountsLabelsPerRangeSplit) {
  const auto report = dataset_info(dir_);
  ASSERT_EQ(report.split_rows.size(), 3u);
  EXPECT_EQ(report.split_rows[0], (std::pair<std::string, int64_t>{"train", 16}));
  EXPECT_EQ(report.split_rows[1], (std::pair<std::string, int64_t>{"val", 4}));
  EXPECT_EQ(report.shards[0].split, "train,val");
  EXPECT_EQ(report.shards[2].split, "train,test");
  // family over val = rows 6..9 of a.h5: row % 3 -> 0, 1, 2, 0 (row 1 is the only missing one).
  const auto& family_val = report.tasks[0].splits[1].summary;
  EXPECT_EQ(family_val.rows, 4);
  EXPECT_EQ(family_val.labelled, 4);
  EXPECT_EQ(family_val.class_counts, (std::vector<int64_t>{2, 1, 1}));
}

TEST_F(SplitRanges, OverlappingRangesAreRefusedNamingBothSplits) {
  write_manifest_with_splits("  train: [{file: a.h5, rows: [0, 6]}]\n  val: [{file: a.h5, rows: [5, 10]}]\n");
  const auto message = data_error_message([&] { load_manifest(dir_); });
  EXPECT_TRUE(contains(message, "splits.val: rows [5, 10) of 'a.h5' overlap rows [0, 6) of split 'train'")) << message;
}

TEST_F(SplitRanges, RangesOutsideTheShardOrOfAnUnlistedFileAreRefused) {
  write_manifest_with_splits("  train: [{file: a.h5, rows: [4, 11]}]\n");
  EXPECT_TRUE(contains(data_error_message([&] { load_manifest(dir_); }),
                       "splits.train: rows [4, 11) of 'a.h5' must satisfy 0 <= begin < end <= 10"));
  write_manifest_with_splits("  train: [{file: a.h5, rows: [6, 6]}]\n");
  EXPECT_TRUE(contains(data_error_message([&] { load_manifest(dir_); }), "0 <= begin < end"));
  write_manifest_with_splits("  train: [{file: z.h5, rows: [0, 2]}]\n");
  EXPECT_TRUE(contains(data_error_message([&] { load_manifest(dir_); }),
                       "splits.train: file 'z.h5' is not listed under shards"));
  write_manifest_with_splits("  train: [{file: a.h5, rows: [0, 2, 4]}]\n");
  EXPECT_TRUE(contains(data_error_message([&] { load_manifest(dir_); }), "must be two integers [begin, end]"));
  write_manifest_with_splits("  train: [{file: a.h5, rows: [a, b]}]\n");
  EXPECT_TRUE(contains(data_error_message([&] { load_manifest(dir_); }), "'rows' two integers"));
  write_manifest_with_splits("  train: []\n");
  EXPECT_TRUE(contains(data_error_message([&] { load_manifest(dir_); }), "splits.train: must be a non-empty list"));
}

TEST_F(SplitRanges, AWholeShardSplitAndRangesOfItAreRefused) {
  write_manifest_with_splits("  val: [{file: a.h5, rows: [0, 2]}]\n", "train");
  EXPECT_TRUE(contains(data_error_message([&] { load_manifest(dir_); }),
                       "shard 'a.h5' already belongs to split 'train' as a whole"));
}

TEST_F(SplitRanges, AShardWithoutSplitOrRangesIsRefused) {
  write_text_file(dir_ / "dataset.yaml",
                  "format_version: 1\nfeature_dim: 4\ntasks:\n  - {name: family, type: multiclass, classes: [a, b]}\n"
                  "shards:\n  - {file: a.h5, rows: 10, sha256: ''}\n  - {file: b.h5, rows: 8, sha256: ''}\n"
                  "splits:\n  train: [{file: a.h5, rows: [0, 10]}]\n");
  EXPECT_TRUE(contains(data_error_message([&] { load_manifest(dir_); }),
                       "shard 'b.h5' has no split and no rows under 'splits'"));
  write_text_file(dir_ / "dataset.yaml",
                  "format_version: 1\nfeature_dim: 4\ntasks:\n  - {name: family, type: multiclass, classes: [a, b]}\n"
                  "shards:\n  - {file: a.h5, rows: 10, sha256: ''}\n");
  EXPECT_TRUE(contains(data_error_message([&] { load_manifest(dir_); }), "missing key 'split'"));
}

}  // namespace
}  // namespace mmoe::data::split_ranges_test
