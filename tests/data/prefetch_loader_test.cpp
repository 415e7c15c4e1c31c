// The prefetching loader (data.cache none) against load_split as the oracle: over an epoch each
// rank gets exactly the rows the sampler assigns it (features and labels, missing labels and a
// float16 shard included), in an order fixed by (seed, epoch, rank); evaluation streams in row
// order; a bad shard surfaces as a DataError naming the file; stopping early never hangs.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>
#include <vector>

#include "data_test_util.h"
#include "data/loader_plan.h"
#include "data/prefetch_loader.h"
#include "data/row_sampler.h"
#include "data/shard_reader.h"
#include "data/shard_writer.h"
#include "data/split_data.h"

namespace mmoe::data {
namespace {

using testing::bitwise_equal;
using testing::contains;
using testing::fish_tasks;

constexpr int64_t kDim = 3;

class PrefetchLoaderTest : public testing::DataDirTest {
 protected:
  // Three train shards of 7, 10 and 5 rows (22 in all); features made unique per shard by an
  // offset of 100 * shard. The last one stores /features as float16 (values exact in float16).
  void SetUp() override {
    DataDirTest::SetUp();
    const std::vector<int64_t> rows = {7, 10, 5};
    std::vector<ShardEntry> entries;
    for (size_t k = 0; k < rows.size(); ++k) {
      auto shard = testing::fish_shard(rows[k], kDim);
      shard.features += 100.0F * static_cast<float>(k);
      const std::string file = "train-" + std::to_string(k) + ".h5";
      write_shard(dir_ / file, shard, fish_tasks(), ShardProvenance{});
      entries.push_back(ShardEntry{file, "train", rows[k], "", 0});
    }
    const hid_t half = H5Tcopy(H5T_IEEE_F32LE);
    H5Tset_fields(half, 15, 10, 5, 0, 10);
    H5Tset_size(half, 2);
    H5Tset_ebias(half, 15);
    auto last = testing::fish_shard(5, kDim).features + 200.0F;
    testing::replace_dataset_raw(dir_ / "train-2.h5", "/features", last.to(torch::kHalf), half, half);
    H5Tclose(half);
    manifest_ = testing::fish_manifest(kDim, entries);
    save_manifest(dir_, manifest_);
    source_ = split_source(dir_, manifest_, "train", fish_tasks());
    oracle_ = load_split(dir_, manifest_, "train", fish_tasks());
  }

  static LoaderOptions small_options() {
    LoaderOptions o;
    o.batch_size = 4;
    o.chunk_rows = 3;
    o.shuffle_window_chunks = 2;
    o.prefetch_batches = 2;
    o.shuffle = true;
    o.seed = 11;
    o.epoch = 1;
    return o;
  }

  // Every batch of a loader, concatenated: [rows, D] features and per-task labels.
  static Batch drain(PrefetchLoader& loader, std::vector<int64_t>* batch_sizes = nullptr) {
    std::vector<torch::Tensor> features;
    std::vector<std::vector<torch::Tensor>> labels(fish_tasks().size());
    while (auto batch = loader.next()) {
      if (batch_sizes != nullptr) batch_sizes->push_back(batch->features.size(0));
      features.push_back(batch->features);
      for (size_t t = 0; t < labels.size(); ++t) labels[t].push_back(batch->labels[t]);
    }
    Batch all;
    all.features = torch::cat(features);
    for (auto& parts : labels) all.labels.push_back(torch::cat(parts));
    return all;
  }

  // Rows of `all` sorted by their first feature (unique per row in this dataset).
  static Batch sorted(const Batch& all) {
    const auto order = std::get<1>(all.features.select(1, 0).sort());
    Batch out;
    out.features = all.features.index_select(0, order);
    for (const auto& label : all.labels) out.labels.push_back(label.index_select(0, order));
    return out;
  }

  Batch oracle_rows(const torch::Tensor& rows) const {
    Batch out;
    out.features = oracle_.features.index_select(0, rows);
    for (const auto& label : oracle_.labels) out.labels.push_back(label.index_select(0, rows));
    return out;
  }

  DatasetManifest manifest_;
  SplitSource source_;
  SplitData oracle_;
};

TEST_F(PrefetchLoaderTest, EachRankGetsExactlyItsRowsAsLoadSplitReadsThem) {
  ASSERT_EQ(oracle_.rows(), 22);
  for (int64_t w = 1; w <= 3; ++w) {
    for (int64_t r = 0; r < w; ++r) {
      RowSamplerOptions sampling;
      sampling.rows = source_.rows();
      sampling.world_size = w;
      sampling.rank = r;
      sampling.batch_size = 4;
      sampling.seed = 11;
      sampling.block_rows = 3;
      const RowSampler sampler(sampling);
      auto options = small_options();
      options.rank = r;
      PrefetchLoader loader(source_, sampler.epoch_ranges(1), options);
      EXPECT_EQ(loader.batches(), sampler.batches_per_epoch());
      std::vector<int64_t> sizes;
      const auto got = sorted(drain(loader, &sizes));
      EXPECT_EQ(static_cast<int64_t>(sizes.size()), sampler.batches_per_epoch());
      const auto expected = sorted(oracle_rows(sampler.epoch_rows(1)));
      ASSERT_EQ(got.features.size(0), 22 / w) << "W=" << w << " r=" << r;
      EXPECT_TRUE(bitwise_equal(got.features, expected.features)) << "W=" << w << " r=" << r;
      for (size_t t = 0; t < got.labels.size(); ++t) {
        EXPECT_TRUE(bitwise_equal(got.labels[t], expected.labels[t])) << "task " << t << " W=" << w << " r=" << r;
      }
    }
  }
}

TEST_F(PrefetchLoaderTest, OrderIsFixedBySeedEpochAndRank) {
  const std::vector<RowRange> all = {RowRange{0, 22}};
  auto options = small_options();
  PrefetchLoader a(source_, all, options);
  PrefetchLoader b(source_, all, options);
  const auto first = drain(a);
  EXPECT_TRUE(bitwise_equal(first.features, drain(b).features));
  options.epoch = 2;
  PrefetchLoader c(source_, all, options);
  EXPECT_FALSE(first.features.equal(drain(c).features));
  // Shuffling stays within windows of 2 chunks of 3 rows: the first 6 rows come from rows 0..5.
  const auto head = first.features.slice(0, 0, 6).select(1, 0);
  EXPECT_TRUE(head.lt(60.0F).all().item<bool>());
}

// The stream is each window's rows in its permutation, windows in order, cut into batches of 4
// (rows left over from a window open the next batch). With chunk_rows 3 over shards of 7, 10 and
// 5 rows the chunks are [0,3) [3,6) [6,7) | [7,10) [10,13) [13,16) [16,17) | [17,20) [20,22)
// (split rows), so windows of 2 chunks hold split rows 0-5, 6-9, 10-15, 16-19 and 20-21.
TEST_F(PrefetchLoaderTest, BatchesAreEachWindowPermutedThenCutIntoBatches) {
  const std::vector<std::pair<int64_t, int64_t>> windows = {{0, 6}, {6, 10}, {10, 16}, {16, 20}, {20, 22}};
  std::vector<torch::Tensor> stream;
  for (size_t w = 0; w < windows.size(); ++w) {
    const auto [begin, end] = windows[w];
    const auto order = window_permutation(end - begin, 11, 1, 0, w);
    stream.push_back(torch::arange(begin, end, torch::kInt64).index_select(0, order));
  }
  const auto expected = oracle_rows(torch::cat(stream));
  for (int64_t threads : {1, 2, 3}) {
    auto options = small_options();
    options.threads = threads;
    PrefetchLoader loader(source_, {RowRange{0, 22}}, options);
    std::vector<int64_t> sizes;
    const auto got = drain(loader, &sizes);
    EXPECT_EQ(sizes, (std::vector<int64_t>{4, 4, 4, 4, 4, 2})) << threads << " threads";
    EXPECT_TRUE(bitwise_equal(got.features, expected.features)) << threads << " threads";
    for (size_t t = 0; t < got.labels.size(); ++t) {
      EXPECT_TRUE(bitwise_equal(got.labels[t], expected.labels[t])) << "task " << t << ", " << threads << " threads";
    }
  }
}

// Worker count, queue depth and window size per worker change how the work is shared, never the
// batches; a batch spanning two windows may be filled by two workers.
TEST_F(PrefetchLoaderTest, ThreadsAndPrefetchDepthDoNotChangeTheBatches) {
  RowSamplerOptions sampling;
  sampling.rows = source_.rows();
  sampling.batch_size = 3;
  sampling.seed = 5;
  sampling.block_rows = 2;
  const auto ranges = RowSampler(sampling).epoch_ranges(2);
  const auto run = [&](int64_t threads, int64_t prefetch) {
    auto options = small_options();
    options.batch_size = 3;
    options.chunk_rows = 2;
    options.shuffle_window_chunks = 1;  // windows of 2 rows: most batches span two windows
    options.epoch = 2;
    options.threads = threads;
    options.prefetch_batches = prefetch;
    PrefetchLoader loader(source_, ranges, options);
    std::vector<torch::Tensor> batches;
    while (auto batch = loader.next()) batches.push_back(batch->features);
    return batches;
  };
  const auto reference = run(1, 1);
  ASSERT_EQ(reference.size(), 8u);  // 22 rows in batches of 3
  for (int64_t threads : {2, 3, 8}) {
    for (int64_t prefetch : {1, 2, 16}) {
      const auto batches = run(threads, prefetch);
      ASSERT_EQ(batches.size(), reference.size()) << threads << " threads, prefetch " << prefetch;
      for (size_t b = 0; b < batches.size(); ++b) {
        EXPECT_TRUE(bitwise_equal(batches[b], reference[b])) << "batch " << b << ", " << threads << " threads";
      }
    }
  }
}

// Batch tensors view pooled buffers: kept after the loader is gone they still hold their rows,
// and a buffer is not reused while a batch still refers to it.
TEST_F(PrefetchLoaderTest, KeptBatchesOutliveTheLoaderUnchanged) {
  auto options = small_options();
  options.shuffle = false;
  options.prefetch_batches = 1;
  std::vector<Batch> kept;
  {
    PrefetchLoader loader(source_, {RowRange{0, 22}}, options);
    while (auto batch = loader.next()) kept.push_back(std::move(*batch));
  }
  ASSERT_EQ(kept.size(), 6u);
  for (size_t b = 0; b < kept.size(); ++b) {
    const auto rows = torch::arange(static_cast<int64_t>(b) * 4, std::min<int64_t>(22, static_cast<int64_t>(b + 1) * 4));
    const auto expected = oracle_rows(rows);
    EXPECT_TRUE(bitwise_equal(kept[b].features, expected.features)) << "batch " << b;
    for (size_t t = 0; t < expected.labels.size(); ++t) {
      EXPECT_TRUE(bitwise_equal(kept[b].labels[t], expected.labels[t])) << "batch " << b << " task " << t;
    }
  }
}

TEST_F(PrefetchLoaderTest, StartBatchPastWholeWindowsDoesNotReadThem) {
  // Batches 3.. of 4 rows start at split row 12, in shard 1: shard 0 is never opened.
  std::filesystem::remove(dir_ / "train-0.h5");
  auto options = small_options();
  options.shuffle = false;
  options.start_batch = 3;
  PrefetchLoader loader(source_, {RowRange{0, 22}}, options);
  std::vector<torch::Tensor> features;
  while (auto batch = loader.next()) features.push_back(batch->features);
  EXPECT_TRUE(bitwise_equal(torch::cat(features), oracle_.features.slice(0, 12, 22)));
}

TEST_F(PrefetchLoaderTest, EvaluationStreamsTheSplitInRowOrder) {
  for (int64_t w : {1, 2, 3}) {
    std::vector<torch::Tensor> parts;
    for (int64_t r = 0; r < w; ++r) {
      RowSamplerOptions sampling;
      sampling.rows = 22;
      sampling.world_size = w;
      sampling.rank = r;
      sampling.mode = SamplerMode::kEval;
      auto options = small_options();
      options.shuffle = false;
      PrefetchLoader loader(source_, RowSampler(sampling).epoch_ranges(1), options);
      parts.push_back(drain(loader).features);
    }
    EXPECT_TRUE(bitwise_equal(torch::cat(parts), oracle_.features)) << "W=" << w;
  }
}

TEST_F(PrefetchLoaderTest, StartBatchResumesWithTheSameBatches) {
  const std::vector<RowRange> all = {RowRange{0, 22}};
  auto options = small_options();
  PrefetchLoader full(source_, all, options);
  std::vector<torch::Tensor> batches;
  while (auto batch = full.next()) batches.push_back(batch->features);
  options.start_batch = 2;
  PrefetchLoader resumed(source_, all, options);
  for (size_t i = 2; i < batches.size(); ++i) {
    const auto batch = resumed.next();
    ASSERT_TRUE(batch.has_value());
    EXPECT_TRUE(bitwise_equal(batch->features, batches[i]));
  }
  EXPECT_FALSE(resumed.next().has_value());
}

TEST_F(PrefetchLoaderTest, BadClassIdInALaterShardIsADataErrorNamingFileAndDataset) {
  testing::replace_dataset_raw(dir_ / "train-1.h5", "/labels/family",
                               torch::tensor({0, 1, 2, 9, 0, 1, 2, 0, 1, 2}, torch::kInt32), H5T_STD_I32LE,
                               H5T_NATIVE_INT32);
  auto options = small_options();
  options.shuffle = false;
  PrefetchLoader loader(source_, {RowRange{0, 22}}, options);
  const auto message = testing::data_error_message([&] {
    while (loader.next()) {
    }
  });
  EXPECT_TRUE(contains(message, "train-1.h5"));
  EXPECT_TRUE(contains(message, "/labels/family row 3 has class 9"));
}

TEST_F(PrefetchLoaderTest, TruncatedShardIsADataErrorNamingTheFile) {
  const auto path = dir_ / "train-2.h5";
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  PrefetchLoader loader(source_, {RowRange{0, 22}}, small_options());
  const auto message = testing::data_error_message([&] {
    while (loader.next()) {
    }
  });
  EXPECT_TRUE(contains(message, "train-2.h5"));
}

// Runs `action` on another thread; fails when it has not finished within 20 s (a hang).
template <typename Action>
void finishes_in_time(Action action) {
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  std::thread([done, action]() mutable {
    action();
    done->set_value();
  }).detach();
  ASSERT_EQ(finished.wait_for(std::chrono::seconds(20)), std::future_status::ready) << "the loader hung";
}

TEST_F(PrefetchLoaderTest, DestroyingMidEpochDoesNotHang) {
  const auto source = source_;
  finishes_in_time([source] {
    auto options = small_options();
    options.batch_size = 1;
    options.prefetch_batches = 1;
    {
      PrefetchLoader loader(source, {RowRange{0, 22}}, options);
      (void)loader.next();  // the reader is now blocked on a full queue
    }
    {
      PrefetchLoader untouched(source, {RowRange{0, 22}}, options);  // never read from
    }
  });
}

TEST_F(PrefetchLoaderTest, RefusesRangesOutsideTheSplit) {
  EXPECT_THROW(PrefetchLoader(source_, {RowRange{20, 23}}, small_options()), std::invalid_argument);
}

// The loader's reader thread and a writer on this thread use the (serial) HDF5 library at once:
// every call holds h5::library_mutex, so both finish and both read back exactly.
TEST_F(PrefetchLoaderTest, WritingShardsWhileTheLoaderReadsIsSafe) {
  auto options = small_options();
  options.chunk_rows = 1;  // many small reads, interleaved with the writes
  options.prefetch_batches = 1;
  PrefetchLoader loader(source_, {RowRange{0, 22}}, options);
  std::vector<torch::Tensor> features;
  const auto shard = testing::fish_shard(6, kDim);
  for (int k = 0; k < 12; ++k) {
    write_shard(dir_ / ("extra-" + std::to_string(k) + ".h5"), shard, fish_tasks(), ShardProvenance{});
    if (auto batch = loader.next()) features.push_back(batch->features);
  }
  while (auto batch = loader.next()) features.push_back(batch->features);
  EXPECT_TRUE(testing::bitwise_equal(sorted(Batch{torch::cat(features), {}}).features,
                                     sorted(Batch{oracle_.features, {}}).features));
  for (int k = 0; k < 12; ++k) {
    const auto back = read_shard(dir_ / ("extra-" + std::to_string(k) + ".h5"), fish_tasks(), kDim);
    EXPECT_TRUE(testing::bitwise_equal(back.features, shard.features));
  }
}

}  // namespace
}  // namespace mmoe::data
