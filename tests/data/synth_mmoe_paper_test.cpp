// mmoe synth --kind mmoe-paper, checked against independent oracles: the geometry of u and w,
// the label correlation that p implies (exactly p without sine terms and noise), the label
// formula recomputed from the features read back, the noise variance, determinism by seed, and
// a manifest whose measured correlation equals one computed here from the shards.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/sha256.h"
#include "data/split_data.h"
#include "data/synth_mmoe_paper.h"
#include "data_test_util.h"

namespace mmoe::data::synth_mmoe_paper_test {
namespace {

using testing::bitwise_equal;
using testing::contains;
using testing::data_error_message;

SynthMmoePaperOptions options(int64_t rows, uint64_t seed) {
  SynthMmoePaperOptions o;
  o.rows = rows;
  o.feature_dim = 16;
  o.seed = seed;
  return o;
}

// Pearson r written out with plain loops over doubles (not the code under test).
double pearson(const torch::Tensor& a, const torch::Tensor& b) {
  const auto x = a.reshape({-1}).to(torch::kFloat64).contiguous();
  const auto y = b.reshape({-1}).to(torch::kFloat64).contiguous();
  const double* xs = x.data_ptr<double>();
  const double* ys = y.data_ptr<double>();
  const int64_t n = x.numel();
  double mean_x = 0.0;
  double mean_y = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    mean_x += xs[i];
    mean_y += ys[i];
  }
  mean_x /= static_cast<double>(n);
  mean_y /= static_cast<double>(n);
  double sxy = 0.0;
  double sxx = 0.0;
  double syy = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    sxy += (xs[i] - mean_x) * (ys[i] - mean_y);
    sxx += (xs[i] - mean_x) * (xs[i] - mean_x);
    syy += (ys[i] - mean_y) * (ys[i] - mean_y);
  }
  return sxy / std::sqrt(sxx * syy);
}

double scalar_product(const torch::Tensor& a, const torch::Tensor& b) { return a.dot(b).item<double>(); }

class SynthMmoePaper : public testing::DataDirTest {
 protected:
  // Features and labels of every split, concatenated in row order, as the shard reader reads them.
  struct AllRows {
    torch::Tensor features, y1, y2;
  };
  AllRows read_back(const DatasetManifest& manifest) const {
    std::vector<torch::Tensor> features, y1, y2;
    for (const auto& split : manifest.split_names()) {
      const auto data = load_split(dir_, manifest, split, manifest.tasks);
      features.push_back(data.features);
      y1.push_back(data.labels.at(0));
      y2.push_back(data.labels.at(1));
    }
    return {torch::cat(features), torch::cat(y1), torch::cat(y2)};
  }
};

TEST(MmoePaperGenerator, UnitVectorsAreOrthonormalAndWeightsHaveCosineP) {
  for (const double p : {-1.0, -0.5, 0.0, 0.3, 0.9, 1.0}) {
    for (const uint64_t seed : {0u, 1u, 7u}) {
      auto o = options(20, seed);
      o.feature_dim = 100;
      o.correlation = p;
      o.scale = 2.5;
      const auto data = generate_mmoe_paper(o);
      ASSERT_EQ(data.u1.sizes(), (std::vector<int64_t>{100}));
      EXPECT_NEAR(scalar_product(data.u1, data.u1), 1.0, 1e-12);
      EXPECT_NEAR(scalar_product(data.u2, data.u2), 1.0, 1e-12);
      EXPECT_NEAR(scalar_product(data.u1, data.u2), 0.0, 1e-12) << "p " << p << " seed " << seed;
      // w1 = c·u1, |w2| = c, w1·w2 = c²p: cov(w1ᵀx, w2ᵀx) / sqrt(var · var) = p for x ~ N(0, I).
      EXPECT_TRUE(torch::allclose(data.w1, 2.5 * data.u1, 0.0, 1e-15));
      EXPECT_NEAR(scalar_product(data.w2, data.w2), 2.5 * 2.5, 1e-12);
      EXPECT_NEAR(scalar_product(data.w1, data.w2), 2.5 * 2.5 * p, 1e-12);
    }
  }
}

TEST(MmoePaperGenerator, WithoutSineTermsAndNoiseTheLabelCorrelationIsP) {
  for (const double p : {0.0, 0.5, 0.9, -0.5}) {
    auto o = options(20000, 11);
    o.feature_dim = 100;
    o.correlation = p;
    o.sin_terms = 0;
    o.noise_variance = 1e-8;
    const auto data = generate_mmoe_paper(o);
    // Standard error of r over 20k rows is (1 − p²) / sqrt(20000) <= 0.007.
    EXPECT_NEAR(pearson(data.y1, data.y2), p, 0.03) << "p " << p;
  }
}

TEST(MmoePaperGenerator, FeaturesAreStandardNormalAndLabelsFollowTheFormula) {
  auto o = options(20000, 4);
  o.feature_dim = 8;
  o.sin_terms = 3;
  o.scale = 1.5;
  const auto data = generate_mmoe_paper(o);
  ASSERT_EQ(data.features.sizes(), (std::vector<int64_t>{20000, 8}));
  ASSERT_EQ(data.features.scalar_type(), torch::kFloat32);
  ASSERT_EQ(data.y1.sizes(), (std::vector<int64_t>{20000, 1}));
  ASSERT_EQ(data.alpha.numel(), 3);
  const auto x = data.features.to(torch::kFloat64);
  EXPECT_LT(x.mean(0).abs().max().item<double>(), 0.05);
  EXPECT_LT((x.var(0) - 1.0).abs().max().item<double>(), 0.05);

  // y_k − (w_kᵀx + Σ sin(α_i·w_kᵀx + β_i)) is the noise: mean 0, variance 0.01 (not std 0.01).
  const double* alpha = data.alpha.data_ptr<double>();
  const double* beta = data.beta.data_ptr<double>();
  for (int task = 0; task < 2; ++task) {
    const auto& w = task == 0 ? data.w1 : data.w2;
    const auto& y = task == 0 ? data.y1 : data.y2;
    const auto t = x.matmul(w);
    auto expected = t.clone();
    for (int i = 0; i < 3; ++i) expected += torch::sin(alpha[i] * t + beta[i]);
    const auto residual = y.squeeze(1).to(torch::kFloat64) - expected;
    EXPECT_NEAR(residual.mean().item<double>(), 0.0, 0.003) << task;
    // Sample variance of 20k draws of N(0, 0.01) has standard deviation 0.01·sqrt(2/20000) = 1e-4.
    EXPECT_NEAR(residual.var().item<double>(), 0.01, 6e-4) << task;
  }
}

TEST(MmoePaperGenerator, AlphaAndBetaAreStandardNormal) {
  auto o = options(20, 2);
  o.sin_terms = 20000;
  const auto data = generate_mmoe_paper(o);
  for (const auto& draws : {data.alpha, data.beta}) {
    EXPECT_NEAR(draws.mean().item<double>(), 0.0, 0.03);
    EXPECT_NEAR(draws.var().item<double>(), 1.0, 0.05);
  }
  EXPECT_FALSE(torch::equal(data.alpha, data.beta));
}

TEST(MmoePaperGenerator, SameSeedGivesIdenticalArraysAndAnotherSeedDiffers) {
  const auto a = generate_mmoe_paper(options(500, 5));
  const auto b = generate_mmoe_paper(options(500, 5));
  const auto c = generate_mmoe_paper(options(500, 6));
  EXPECT_TRUE(bitwise_equal(a.features, b.features));
  EXPECT_TRUE(bitwise_equal(a.y1, b.y1));
  EXPECT_TRUE(bitwise_equal(a.y2, b.y2));
  EXPECT_TRUE(bitwise_equal(a.w2, b.w2));
  EXPECT_TRUE(bitwise_equal(a.alpha, b.alpha));
  EXPECT_FALSE(torch::equal(a.features, c.features));
  EXPECT_FALSE(torch::equal(a.y1, c.y1));
  EXPECT_FALSE(torch::equal(a.w1, c.w1));
  EXPECT_FALSE(torch::equal(a.alpha, c.alpha));
}

TEST(MmoePaperGenerator, PearsonCorrelationMatchesPlainLoops) {
  auto gen = at::detail::createCPUGenerator(3);
  const auto a = torch::randn({1000}, gen, torch::kFloat64);
  const auto b = 0.3 * a + torch::randn({1000}, gen, torch::kFloat64);
  EXPECT_NEAR(pearson_correlation(a, b), pearson(a, b), 1e-12);
  EXPECT_NEAR(pearson_correlation(a, -2.0 * a + 1.0), -1.0, 1e-12);
  EXPECT_THROW(pearson_correlation(a, b.slice(0, 0, 10)), mmoe::Error);
}

TEST_F(SynthMmoePaper, ManifestRecordsTheMeasuredCorrelationOfTheLabelsWritten) {
  auto o = options(3000, 8);
  o.correlation = 0.7;
  const auto written = write_synth_mmoe_paper(dir_, o);
  const auto manifest = load_manifest(dir_);
  EXPECT_EQ(manifest.name, "synthetic-mmoe-paper");
  EXPECT_EQ(manifest.feature_dim, 16);
  ASSERT_EQ(manifest.tasks.size(), 2u);
  for (size_t t = 0; t < 2; ++t) {
    EXPECT_EQ(manifest.tasks[t].name, t == 0 ? "y1" : "y2");
    EXPECT_EQ(manifest.tasks[t].type, TaskType::kRegression);
    EXPECT_EQ(manifest.tasks[t].output_dim(), 1);
    EXPECT_EQ(manifest.label_stats.at(manifest.tasks[t].name).rows, 2100);
    EXPECT_EQ(manifest.label_stats.at(manifest.tasks[t].name).labelled, 2100);
  }
  EXPECT_EQ(manifest.split_names(), (std::vector<std::string>{"train", "val", "test"}));
  EXPECT_EQ(manifest.rows_in_split("train"), 2100);
  EXPECT_EQ(manifest.rows_in_split("val"), 450);
  EXPECT_EQ(manifest.rows_in_split("test"), 450);
  for (const auto& shard : manifest.shards) {
    EXPECT_EQ(shard.sha256, mmoe::sha256_file_hex(dir_ / shard.file)) << shard.file;
  }

  ASSERT_TRUE(manifest.synthetic.has_value());
  EXPECT_EQ(manifest.synthetic->kind, "mmoe-paper");
  EXPECT_EQ(manifest.synthetic->seed, 8u);
  ASSERT_TRUE(manifest.synthetic->correlation.has_value());
  EXPECT_EQ(*manifest.synthetic->correlation, 0.7);
  ASSERT_TRUE(manifest.synthetic->measured_label_correlation.has_value());
  // The YAML text reads back as the same double that was written.
  EXPECT_EQ(*manifest.synthetic->measured_label_correlation, *written.synthetic->measured_label_correlation);

  const auto rows = read_back(manifest);
  ASSERT_EQ(rows.y1.size(0), 3000);
  const double measured = pearson(rows.y1, rows.y2);
  EXPECT_NEAR(*manifest.synthetic->measured_label_correlation, measured, 1e-9);
  // The sine terms and the noise pull the label correlation away from p, but not far.
  EXPECT_GT(measured, 0.3);
  EXPECT_LT(measured, 0.95);
  // What the shards hold is what the generator returns.
  const auto generated = generate_mmoe_paper(o);
  EXPECT_TRUE(bitwise_equal(rows.features, generated.features));
  EXPECT_TRUE(bitwise_equal(rows.y1, generated.y1));
  EXPECT_TRUE(bitwise_equal(rows.y2, generated.y2));
  EXPECT_EQ(manifest.attributes.at("generator"), "mmoe-paper");
  EXPECT_EQ(manifest.attributes.at("sin_terms"), "10");
}

TEST_F(SynthMmoePaper, SameSeedWritesTheSameDataAndAnotherSeedDifferentData) {
  const auto m1 = write_synth_mmoe_paper(dir_ / "a", options(200, 5));
  const auto m2 = write_synth_mmoe_paper(dir_ / "b", options(200, 5));
  const auto m3 = write_synth_mmoe_paper(dir_ / "c", options(200, 6));
  for (const auto& split : {"train", "val", "test"}) {
    const auto a = load_split(dir_ / "a", m1, split, m1.tasks);
    const auto b = load_split(dir_ / "b", m2, split, m2.tasks);
    const auto c = load_split(dir_ / "c", m3, split, m3.tasks);
    EXPECT_TRUE(bitwise_equal(a.features, b.features)) << split;
    EXPECT_FALSE(torch::equal(a.features, c.features)) << split;
    for (size_t t = 0; t < 2; ++t) {
      EXPECT_TRUE(bitwise_equal(a.labels[t], b.labels[t])) << split << " task " << t;
      EXPECT_FALSE(torch::equal(a.labels[t], c.labels[t])) << split << " task " << t;
    }
  }
  EXPECT_EQ(m1.synthetic->measured_label_correlation, m2.synthetic->measured_label_correlation);
  EXPECT_NE(m1.synthetic->measured_label_correlation, m3.synthetic->measured_label_correlation);
}

TEST_F(SynthMmoePaper, RowsPerShardSplitsEachSplitIntoNumberedShards) {
  auto o = options(200, 2);
  o.rows_per_shard = 64;  // train 140 -> 64 + 64 + 12; val 30; test 30
  const auto manifest = write_synth_mmoe_paper(dir_, o);
  ASSERT_EQ(manifest.shards.size(), 5u);
  EXPECT_EQ(manifest.shards[2].file, "train-0002.h5");
  EXPECT_EQ(manifest.shards[2].rows, 12);
  EXPECT_EQ(manifest.shards[3].file, "val-0000.h5");
  EXPECT_EQ(manifest.shards[4].file, "test-0000.h5");
  const auto rows = read_back(manifest);
  EXPECT_TRUE(bitwise_equal(rows.y2, generate_mmoe_paper(o).y2));
}

TEST_F(SynthMmoePaper, BadOptionsAreRefusedWithOneLineAndNothingWritten) {
  const auto refuse = [&](SynthMmoePaperOptions o, const std::string& expected) {
    const auto message = data_error_message([&] { write_synth_mmoe_paper(dir_ / "out", o); });
    EXPECT_TRUE(contains(message, expected));
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_THROW(generate_mmoe_paper(o), DataError) << expected;
  };
  auto o = options(200, 0);
  o.correlation = 1.5;
  refuse(o, "--correlation must be in [-1, 1] (got 1.5)");
  o.correlation = -1.01;
  refuse(o, "--correlation must be in [-1, 1] (got -1.01)");
  o.correlation = std::nan("");
  refuse(o, "--correlation must be in [-1, 1]");
  o = options(19, 0);
  refuse(o, "--rows must be >= 20");
  o = options(0, 0);
  refuse(o, "--rows must be >= 20");
  o = options(200, 0);
  o.feature_dim = 1;
  refuse(o, "--feature-dim must be >= 2 for --kind mmoe-paper (got 1)");
  o = options(200, 0);
  o.sin_terms = -1;
  refuse(o, "--sin-terms must be >= 0 (got -1)");
  o = options(200, 0);
  o.scale = 0.0;
  refuse(o, "--scale must be a finite number > 0 (got 0)");
  o = options(200, 0);
  o.rows_per_shard = 0;
  refuse(o, "--rows-per-shard must be >= 1 (got 0)");
  o = options(200, 0);
  o.noise_variance = -0.01;
  refuse(o, "noise_variance must be a finite number >= 0");
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

TEST_F(SynthMmoePaper, EdgeValuesAreAccepted) {
  auto o = options(20, 0);
  o.feature_dim = 2;
  o.sin_terms = 0;
  o.correlation = -1.0;
  o.noise_variance = 0.0;
  const auto manifest = write_synth_mmoe_paper(dir_, o);
  // p = -1 without sine terms and noise: y2 = -y1 exactly (up to float32 rounding).
  EXPECT_NEAR(*manifest.synthetic->measured_label_correlation, -1.0, 1e-6);
  EXPECT_EQ(manifest.rows_in_split("train") + manifest.rows_in_split("val") + manifest.rows_in_split("test"), 20);
}

}  // namespace
}  // namespace mmoe::data::synth_mmoe_paper_test
