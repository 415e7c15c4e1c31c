// The backbone runner on tiny TorchScript modules built here: pooling by hand, and the errors.
#include <gtest/gtest.h>

#include "data/images/backbone_runner.h"
#include "data/images/random_conv_backbone.h"
#include "tests/data/images/image_test_util.h"

namespace mmoe::data {
namespace {

namespace fs = std::filesystem;

class BackboneRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mmoe_backbone_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    testing::make_stats_backbone().save((dir_ / "stats.pt").string());
    testing::make_pooled_backbone().save((dir_ / "pooled.pt").string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Two images 2 x 2: image 0 channel c holds {0, 1, 2, 3} + c; image 1 is constant 5.
  static torch::Tensor images() {
    auto x = torch::full({2, 3, 2, 2}, 5.0f);
    for (int64_t c = 0; c < 3; ++c) x[0][c] = torch::arange(4, torch::kFloat32).view({2, 2}) + static_cast<float>(c);
    return x;
  }
  fs::path dir_;
};

TEST_F(BackboneRunnerTest, ClsIsTokenZero) {
  BackboneRunner runner(dir_ / "stats.pt", Pooling::kCls, BackboneDtype::kFloat32);
  const auto features = runner.features(images());  // channel means: 1.5 + c; 5
  ASSERT_EQ(features.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_FLOAT_EQ(features[0][0].item<float>(), 1.5f);
  EXPECT_FLOAT_EQ(features[0][2].item<float>(), 3.5f);
  EXPECT_FLOAT_EQ(features[1][1].item<float>(), 5.0f);
  EXPECT_EQ(runner.sha256().size(), 64u);
}

TEST_F(BackboneRunnerTest, MeanAveragesPatchTokens) {
  // Tokens 1 and 2 are max (3 + c) and min (0 + c): their mean is 1.5 + c.
  BackboneRunner runner(dir_ / "stats.pt", Pooling::kMean, BackboneDtype::kFloat32);
  const auto features = runner.features(images());
  EXPECT_FLOAT_EQ(features[0][1].item<float>(), 2.5f);
  BackboneRunner both(dir_ / "stats.pt", Pooling::kBoth, BackboneDtype::kFloat32);
  const auto joined = both.features(images());
  ASSERT_EQ(joined.sizes(), (std::vector<int64_t>{2, 6}));
  EXPECT_FLOAT_EQ(joined[0][0].item<float>(), 1.5f);
  EXPECT_FLOAT_EQ(joined[0][3].item<float>(), 1.5f);
  EXPECT_FLOAT_EQ(joined[1][5].item<float>(), 5.0f);
}

TEST_F(BackboneRunnerTest, PooledOutputAllowsClsOnly) {
  BackboneRunner cls(dir_ / "pooled.pt", Pooling::kCls, BackboneDtype::kFloat32);
  EXPECT_FLOAT_EQ(cls.features(images())[0][1].item<float>(), 2.5f);
  BackboneRunner mean(dir_ / "pooled.pt", Pooling::kMean, BackboneDtype::kFloat32);
  try {
    mean.features(images());
    FAIL() << "mean pooling of [B, D] accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("pooling must be cls"), std::string::npos) << e.what();
  }
}

TEST_F(BackboneRunnerTest, BadFilesAndDtypes) {
  EXPECT_THROW(BackboneRunner(dir_ / "missing.pt", Pooling::kCls, BackboneDtype::kFloat32), DataError);
  testing::write_text(dir_ / "junk.pt", "not a zip archive");
  EXPECT_THROW(BackboneRunner(dir_ / "junk.pt", Pooling::kCls, BackboneDtype::kFloat32), DataError);
  if (!torch::cuda::is_available()) {
    try {
      BackboneRunner(dir_ / "stats.pt", Pooling::kCls, BackboneDtype::kBfloat16);
      FAIL() << "bf16 on CPU accepted";
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find("fp32"), std::string::npos) << e.what();
    }
  }
}

TEST_F(BackboneRunnerTest, RandomConvBackboneIsFixedBySeed) {
  RandomConvBackboneOptions options;
  options.channels = 8;
  options.grid = 2;
  make_random_conv_backbone(options).save((dir_ / "a.pt").string());
  make_random_conv_backbone(options).save((dir_ / "b.pt").string());
  options.seed = 1;
  make_random_conv_backbone(options).save((dir_ / "c.pt").string());
  const auto x = torch::rand({2, 3, 16, 16});
  BackboneRunner a(dir_ / "a.pt", Pooling::kBoth, BackboneDtype::kFloat32);
  BackboneRunner b(dir_ / "b.pt", Pooling::kBoth, BackboneDtype::kFloat32);
  BackboneRunner c(dir_ / "c.pt", Pooling::kBoth, BackboneDtype::kFloat32);
  const auto fa = a.features(x);
  EXPECT_EQ(fa.sizes(), (std::vector<int64_t>{2, 16}));
  EXPECT_TRUE(torch::equal(fa, b.features(x)));
  EXPECT_FALSE(torch::equal(fa, c.features(x)));
}

}  // namespace
}  // namespace mmoe::data
