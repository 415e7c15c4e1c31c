// Feature statistics for standardisation, against plain loops in doubles, and their manifest block.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/dataset_manifest.h"
#include "data/feature_statistics.h"
#include "data_test_util.h"

namespace mmoe::data {
namespace {

TEST(FeatureStatistics, MatchATwoPassLoopInDoubles) {
  torch::manual_seed(0);
  const auto x = torch::randn({40000, 3}) * 7.0 + 1000.0;  // spans chunks; large offset
  const auto [mean, std] = feature_statistics(x);
  const auto xd = x.to(torch::kDouble);
  for (int64_t d = 0; d < 3; ++d) {
    double sum = 0.0;
    for (int64_t i = 0; i < x.size(0); ++i) sum += xd[i][d].item<double>();
    const double m = sum / static_cast<double>(x.size(0));
    double sq = 0.0;
    for (int64_t i = 0; i < x.size(0); ++i) sq += std::pow(xd[i][d].item<double>() - m, 2);
    EXPECT_NEAR(mean[d].item<double>(), m, 1e-3) << d;
    EXPECT_NEAR(std[d].item<double>(), std::sqrt(sq / static_cast<double>(x.size(0))), 1e-4) << d;
  }
}

TEST(FeatureStatistics, ManifestBlockKeepsDoublesAndTheSplit) {
  const auto x = torch::tensor({1.f, 10.f, 3.f, 10.f}).reshape({2, 2});
  const auto stats = make_feature_stats("train", x);
  EXPECT_EQ(stats.split, "train");
  EXPECT_EQ(stats.rows, 2);
  EXPECT_EQ(stats.mean, (std::vector<double>{2.0, 10.0}));
  EXPECT_EQ(stats.std, (std::vector<double>{1.0, 0.0}));
}

class FeatureStatsManifest : public testing::DataDirTest {};

TEST_F(FeatureStatsManifest, RoundTripsExactlyAndIsOptional) {
  auto manifest = testing::fish_manifest(3, {});
  save_manifest(dir_, manifest);
  EXPECT_FALSE(load_manifest(dir_).feature_stats.has_value());
  manifest.feature_stats = FeatureStats{"train", 7, {0.1, -2.5e-7, 1.0 / 3.0}, {1.0, 0.0, 123456.789}};
  save_manifest(dir_, manifest);
  const auto back = load_manifest(dir_).feature_stats;
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->split, "train");
  EXPECT_EQ(back->rows, 7);
  EXPECT_EQ(back->mean, manifest.feature_stats->mean);  // bitwise: shortest round-trip text
  EXPECT_EQ(back->std, manifest.feature_stats->std);
}

TEST_F(FeatureStatsManifest, WrongLengthOrNegativeStdIsRefusedNamingTheBlock) {
  auto manifest = testing::fish_manifest(3, {});
  manifest.feature_stats = FeatureStats{"train", 7, {0.0, 0.0}, {1.0, 1.0}};
  save_manifest(dir_, manifest);
  const std::string where = (dir_ / "dataset.yaml").string();
  EXPECT_EQ(testing::data_error_message([&] { load_manifest(dir_); }),
            where + ": feature_stats: mean and std need 3 values (feature_dim), got 2 and 2");
  manifest.feature_stats = FeatureStats{"train", 7, {0.0, 0.0, 0.0}, {1.0, -1.0, 1.0}};
  save_manifest(dir_, manifest);
  EXPECT_NE(testing::data_error_message([&] { load_manifest(dir_); })
                .find(where + ": feature_stats: feature 1 has mean"),
            std::string::npos);
}

}  // namespace
}  // namespace mmoe::data
