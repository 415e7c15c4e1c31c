// data.cache none | host | device through the Trainer on a small synthetic dataset (800 rows,
// 16 features, several shards so the streaming loader crosses shard boundaries):
//   - device on CPU is host: bitwise identical metrics;
//   - none against host with one full batch per epoch (batch_size = train rows): every step
//     sees the same rows, only their order inside the batch differs, so metrics agree to
//     float rounding. With smaller batches the two orders differ by design (none shuffles within
//     windows of chunks, host over the whole split), so there we check comparable learning.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "data/feature_statistics.h"
#include "data/split_data.h"
#include "data/synth_attributes.h"
#include "distributed/communicator.h"
#include "trainer/trainer.h"

namespace mmoe::trainer {
namespace {

class NullObserver final : public TrainingObserver {
 public:
  void on_step(const StepProgress&) override {}
  void on_epoch(const EpochReport& report) override { val_losses.push_back(report.val_loss); }
  std::vector<double> val_losses;
};

class DataCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dataset_dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                             ("mmoe-data-cache-test-" + std::to_string(getpid())));
    data::SynthAttributesOptions options;
    options.rows = 800;
    options.feature_dim = 16;
    options.seed = 0;
    options.rows_per_shard = 150;
    data::write_synth_attributes(*dataset_dir_, options);
  }

  static void TearDownTestSuite() {
    std::error_code ignored;
    std::filesystem::remove_all(*dataset_dir_, ignored);
    delete dataset_dir_;
    dataset_dir_ = nullptr;
  }

  static experiments::Config config(experiments::DataCache cache) {
    experiments::Config c;
    c.data.dir = dataset_dir_->string();
    c.data.cache = cache;
    c.data.chunk_rows = 50;  // several chunks per shard, reads crossing no shard
    c.data.shuffle_window_chunks = 3;
    c.data.prefetch_batches = 2;
    c.train.epochs = 3;
    c.train.batch_size = 64;
    c.train.seed = 0;
    c.train.device = experiments::Device::kCpu;
    c.train.num_threads = 1;
    c.model.num_experts = 2;
    c.model.expert_hidden = {16};
    c.model.tower_hidden = {8};
    return c;
  }

  static TrainSummary run(const experiments::Config& c, NullObserver* observer = nullptr) {
    distributed::LocalCommunicator communicator;
    Trainer trainer(c, communicator);
    NullObserver local;
    return trainer.train(observer != nullptr ? *observer : local);
  }

  static std::filesystem::path* dataset_dir_;
};

std::filesystem::path* DataCacheTest::dataset_dir_ = nullptr;

void expect_scores_near(const TrainSummary& a, const TrainSummary& b, double tolerance) {
  EXPECT_NEAR(a.last.train_loss, b.last.train_loss, tolerance);
  EXPECT_NEAR(a.last.val_loss, b.last.val_loss, tolerance);
  ASSERT_EQ(a.last.val.size(), b.last.val.size());
  for (size_t t = 0; t < a.last.val.size(); ++t) {
    EXPECT_EQ(a.last.val[t].labelled_rows, b.last.val[t].labelled_rows);
    for (auto field : {&TaskScores::loss, &TaskScores::accuracy, &TaskScores::weighted_f1, &TaskScores::mae}) {
      ASSERT_EQ((a.last.val[t].*field).has_value(), (b.last.val[t].*field).has_value());
      if ((a.last.val[t].*field).has_value()) {
        EXPECT_NEAR(*(a.last.val[t].*field), *(b.last.val[t].*field), tolerance) << a.last.tasks[t];
      }
    }
  }
}

TEST_F(DataCacheTest, DeviceOnCpuIsHostBitwise) {
  const auto host = run(config(experiments::DataCache::kHost));
  const auto device = run(config(experiments::DataCache::kDevice));
  expect_scores_near(host, device, 0.0);
}

TEST_F(DataCacheTest, NoneMatchesHostWithOneFullBatchPerEpoch) {
  auto host_config = config(experiments::DataCache::kHost);
  host_config.train.batch_size = 560;  // the whole train split (70% of 800)
  host_config.train.eval_batch_size = 100;
  auto none_config = host_config;
  none_config.data.cache = experiments::DataCache::kNone;
  const auto host = run(host_config);
  const auto none = run(none_config);
  EXPECT_EQ(host.last.global_step, 3);
  EXPECT_EQ(none.last.global_step, 3);
  expect_scores_near(host, none, 1e-4);
}

TEST_F(DataCacheTest, NoneLearnsComparablyWithSmallBatches) {
  NullObserver host_epochs;
  NullObserver none_epochs;
  const auto host = run(config(experiments::DataCache::kHost), &host_epochs);
  const auto none = run(config(experiments::DataCache::kNone), &none_epochs);
  EXPECT_EQ(none.last.global_step, host.last.global_step);  // 560 / 64 -> 8 steps per epoch both
  EXPECT_LT(none_epochs.val_losses.back(), none_epochs.val_losses.front());
  EXPECT_NEAR(none.last.val_loss, host.last.val_loss, 0.1 * host.last.val_loss);
  EXPECT_NEAR(none.best_value, host.best_value, 0.1);
}

TEST_F(DataCacheTest, NoneIsDeterministicForASeed) {
  const auto first = run(config(experiments::DataCache::kNone));
  const auto second = run(config(experiments::DataCache::kNone));
  expect_scores_near(first, second, 0.0);
}

// Without recorded statistics, cache none streams the train split twice to standardise; the
// model's buffers must equal the statistics of the same split loaded whole.
TEST_F(DataCacheTest, StreamedStandardizationMatchesTheLoadedSplit) {
  const auto copy = std::filesystem::temp_directory_path() / ("mmoe-cache-nostats-" + std::to_string(getpid()));
  std::filesystem::remove_all(copy);
  std::filesystem::copy(*dataset_dir_, copy);
  auto manifest = data::load_manifest(copy);
  manifest.feature_stats.reset();
  data::save_manifest(copy, manifest);

  auto c = config(experiments::DataCache::kNone);
  c.data.dir = copy.string();
  c.model.standardize_features = true;
  distributed::LocalCommunicator communicator;
  Trainer trainer(c, communicator);
  const auto train = data::load_split(copy, manifest, "train", manifest.tasks);
  const auto [mean, std] = data::feature_statistics(train.features);
  torch::Tensor model_mean, model_inv_std;
  for (const auto& buffer : trainer.model().named_buffers()) {
    if (buffer.key() == "input.feature_mean") model_mean = buffer.value();
    if (buffer.key() == "input.feature_inv_std") model_inv_std = buffer.value();
  }
  std::filesystem::remove_all(copy);
  ASSERT_TRUE(model_mean.defined() && model_inv_std.defined());
  EXPECT_TRUE(torch::allclose(model_mean, mean, 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(model_inv_std, std.reciprocal(), 1e-5, 1e-6));
}

}  // namespace
}  // namespace mmoe::trainer
