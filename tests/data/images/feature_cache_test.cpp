// mmoe cache in one process: features equal values computed by hand, bad images reported and
// skipped, converted layouts cached, resume after a kill, provenance and config errors.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "core/sha256.h"
#include "data/dataset_manifest.h"
#include "data/images/cache_config.h"
#include "data/images/feature_cache.h"
#include "data/shard_reader.h"
#include "experiments/config_loader.h"
#include "tests/data/images/image_test_util.h"

namespace mmoe::data {
namespace {

namespace fs = std::filesystem;
using testing::PngLayout;

struct Colour {
  uint8_t r, g, b;
};

// Rows of the manifest: solid 8 x 8 images; row -> expected RGB (or bad).
const std::vector<Colour> kColours = {{255, 0, 0},   {0, 255, 0},  {0, 0, 255},    {10, 20, 30},
                                      {200, 100, 50}, {1, 2, 3},   {60, 60, 60},   {128, 64, 32}};

class FeatureCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mmoe_cache_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "images");
    std::ostringstream csv;
    csv << "path,split,kind,score\n";
    for (size_t i = 0; i < kColours.size(); ++i) {
      const auto& c = kColours[i];
      testing::write_solid_png(dir_ / "images" / ("c" + std::to_string(i) + ".png"), 8, c.r, c.g, c.b);
      const char* split = i < 5 ? "train" : i < 7 ? "val" : "test";
      csv << "images/c" << i << ".png," << split << "," << (i % 2 ? "odd" : "even") << "," << i << "\n";
    }
    // Rows 8..14: bad images and converted layouts, all train.
    testing::write_text(dir_ / "images" / "notes.png", "not a picture");
    std::vector<uint8_t> full(16 * 16 * 3, 90);
    testing::write_png(dir_ / "images" / "full.png", 16, 16, PngLayout::kRgb8, full);
    auto bytes = testing::read_bytes(dir_ / "images" / "full.png");
    bytes.resize(bytes.size() / 2);
    testing::write_bytes(dir_ / "images" / "cut.png", bytes);
    testing::write_png(dir_ / "images" / "gray.png", 8, 8, PngLayout::kGray8, std::vector<uint8_t>(64, 51));
    std::vector<uint8_t> rgba, rgb16, cmyk;
    for (int i = 0; i < 64; ++i) {
      rgba.insert(rgba.end(), {102, 153, 204, 7});
      rgb16.insert(rgb16.end(), {0x33, 0x01, 0x66, 0x02, 0x99, 0x03});
      cmyk.insert(cmyk.end(), {255, 102, 51, 255});
    }
    testing::write_png(dir_ / "images" / "alpha.png", 8, 8, PngLayout::kRgba8, rgba);
    testing::write_png(dir_ / "images" / "deep.png", 8, 8, PngLayout::kRgb16, rgb16);
    testing::write_jpeg_cmyk(dir_ / "images" / "cmyk.jpg", 8, 8, cmyk);
    csv << "images/missing.png,train,odd,8\n"
        << "images/cut.png,train,even,9\n"
        << "images/notes.png,val,odd,10\n"
        << "images/gray.png,train,even,11\n"
        << "images/alpha.png,train,odd,12\n"
        << "images/deep.png,train,even,13\n"
        << "images/cmyk.jpg,train,odd,14\n";
    testing::write_text(dir_ / "images.csv", csv.str());
    testing::make_stats_backbone().save((dir_ / "stats.pt").string());
    write_config("out", "");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Plain view = the 8 x 8 image as is (no resize, crop 8, mean 0, std 1): cls = colour / 255.
  void write_config(const std::string& out, const std::string& extra) {
    testing::write_text(dir_ / "cache.yaml", "manifest: images.csv\nbackbone: stats.pt\nout_dir: " + out +
                                                 "\nrows_per_shard: 3\nbatch_size: 2\nthreads: 2\n"
                                                 "preprocess: {resize: 0, crop: 8, mean: [0, 0, 0], std: [1, 1, 1]}\n" +
                                                 extra);
  }

  CacheSummary run(int64_t* written = nullptr, int64_t* skipped = nullptr) {
    const auto config = load_cache_config(dir_ / "cache.yaml");
    const auto result = cache_rank(config, 0, 1);
    if (written) *written = result.units_written;
    if (skipped) *skipped = result.units_skipped;
    return finish_cache(config);
  }

  // Every row of a dataset by (sample_id, view): its features.
  std::map<std::pair<int64_t, int32_t>, torch::Tensor> rows_of(const fs::path& out) {
    const auto manifest = load_manifest(out);
    std::map<std::pair<int64_t, int32_t>, torch::Tensor> rows;
    for (const auto& shard : manifest.shards) {
      const auto tensors = read_shard(out / shard.file, manifest.tasks, manifest.feature_dim);
      for (int64_t r = 0; r < tensors.features.size(0); ++r) {
        rows[{tensors.sample_id[r].item<int64_t>(), tensors.view[r].item<int32_t>()}] = tensors.features[r];
      }
    }
    return rows;
  }

  fs::path dir_;
};

void expect_colour(const torch::Tensor& features, double r, double g, double b, double tolerance) {
  EXPECT_NEAR(features[0].item<double>(), r / 255.0, tolerance);
  EXPECT_NEAR(features[1].item<double>(), g / 255.0, tolerance);
  EXPECT_NEAR(features[2].item<double>(), b / 255.0, tolerance);
}

TEST_F(FeatureCacheTest, FeaturesOfEveryGoodImageByHand) {
  const auto summary = run();
  const auto& manifest = summary.manifest;
  EXPECT_EQ(manifest.feature_dim, 3);
  EXPECT_EQ(manifest.rows_in_split("train"), 5 + 4);  // 5 solid + gray, alpha, 16-bit, CMYK
  EXPECT_EQ(manifest.rows_in_split("val"), 2);
  EXPECT_EQ(manifest.rows_in_split("test"), 1);
  const auto rows = rows_of(dir_ / "out");
  ASSERT_EQ(rows.size(), 12u);
  for (size_t i = 0; i < kColours.size(); ++i) {
    const auto& c = kColours[i];
    expect_colour(rows.at({static_cast<int64_t>(i), 0}), c.r, c.g, c.b, 1e-6);
  }
  expect_colour(rows.at({11, 0}), 51, 51, 51, 1e-6);     // grayscale -> equal RGB
  expect_colour(rows.at({12, 0}), 102, 153, 204, 1e-6);  // alpha dropped
  expect_colour(rows.at({13, 0}), 0x33, 0x66, 0x99, 1e-6);  // 16-bit: high byte
  expect_colour(rows.at({14, 0}), 255, 102, 51, 3.0 / 255);  // CMYK JPEG (lossy)
  // Labels travel with the rows: task 'kind' classes sorted (even, odd); train label counts.
  ASSERT_EQ(manifest.tasks.size(), 2u);
  EXPECT_EQ(manifest.tasks[0].class_names, (std::vector<std::string>{"even", "odd"}));
  EXPECT_EQ(manifest.label_stats.at("kind").rows, 9);
  EXPECT_EQ(manifest.attributes.at("generator"), "cache");
}

TEST_F(FeatureCacheTest, BadImagesAreCountedAndListed) {
  const auto summary = run();
  EXPECT_EQ(summary.images, 15);
  ASSERT_EQ(summary.bad_images.size(), 3u);
  EXPECT_EQ(summary.bad_by_kind.at(ImageErrorKind::kMissing), 1);
  EXPECT_EQ(summary.bad_by_kind.at(ImageErrorKind::kTruncated), 1);
  EXPECT_EQ(summary.bad_by_kind.at(ImageErrorKind::kNotImage), 1);
  std::ifstream report(dir_ / "out" / kCacheReportFileName);
  std::vector<std::string> lines;
  for (std::string line; std::getline(report, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "row\tpath\tkind\tmessage");
  EXPECT_EQ(lines[1].rfind("8\t", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find("missing.png\tmissing\t"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("cut.png\ttruncated\t"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("notes.png\tnot_an_image\t"), std::string::npos) << lines[3];
}

TEST_F(FeatureCacheTest, ResumeAfterKillRewritesOnlyTheLostShard) {
  run();
  const auto before = rows_of(dir_ / "out");
  const auto manifest = load_manifest(dir_ / "out");
  ASSERT_GE(manifest.shards.size(), 3u);
  std::map<std::string, std::string> sha;
  for (const auto& shard : manifest.shards) sha[shard.file] = sha256_file_hex(dir_ / "out" / shard.file);
  // A "kill" mid-way through the second shard: no shard, no record, a leftover partial file.
  const auto lost = dir_ / "out" / manifest.shards[1].file;
  fs::remove(lost);
  fs::remove(lost.string() + ".done");
  testing::write_text(lost.string() + ".partial", "half-written");
  // And a shard whose bytes no longer match its record is redone too.
  const auto corrupt = dir_ / "out" / manifest.shards[2].file;
  testing::write_text(corrupt, "corrupt");
  int64_t written = 0, skipped = 0;
  const auto summary = run(&written, &skipped);
  EXPECT_EQ(written, 2);
  EXPECT_GE(skipped, 3);
  EXPECT_FALSE(fs::exists(lost.string() + ".partial"));
  const auto after = rows_of(dir_ / "out");
  ASSERT_EQ(after.size(), before.size());
  for (const auto& [key, features] : before) EXPECT_TRUE(torch::equal(features, after.at(key)));
  for (const auto& shard : summary.manifest.shards) {
    if (shard.file != manifest.shards[1].file && shard.file != manifest.shards[2].file) {
      EXPECT_EQ(sha256_file_hex(dir_ / "out" / shard.file), sha[shard.file]) << shard.file << " was rewritten";
    }
  }
}

TEST_F(FeatureCacheTest, OtherProvenanceInOutDirIsRefused) {
  run();
  write_config("out", "seed: 9\n");
  try {
    run();
    FAIL() << "a different seed reused the old shards";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("provenance"), std::string::npos) << e.what();
  }
}

TEST_F(FeatureCacheTest, TrainImagesGetKAugmentedViewsDeterministically) {
  write_config("views", "views: 3\naugment: {color_jitter: {probability: 1.0}}\n");
  const auto summary = run();
  EXPECT_EQ(summary.manifest.rows_in_split("train"), 9 * 3);
  EXPECT_EQ(summary.manifest.rows_in_split("val"), 2);
  const auto rows = rows_of(dir_ / "views");
  std::set<int32_t> train_views;
  for (const auto& [key, features] : rows) {
    if (key.first < 5) train_views.insert(key.second);
    if (key.first == 5 || key.first == 6) {
      EXPECT_EQ(key.second, 0);  // val: plain view only
    }
  }
  EXPECT_EQ(train_views, (std::set<int32_t>{1, 2, 3}));
  // Colour jitter changed the red image's features; a second run writes the same ones.
  EXPECT_FALSE(torch::allclose(rows.at({0, 1}), torch::tensor({1.0f, 0.0f, 0.0f})));
  write_config("views_again", "views: 3\naugment: {color_jitter: {probability: 1.0}}\n");
  run();
  const auto again = rows_of(dir_ / "views_again");
  for (const auto& [key, features] : rows) EXPECT_TRUE(torch::equal(features, again.at(key)));
}

std::string config_error(const fs::path& path) {
  try {
    load_cache_config(path);
  } catch (const mmoe::Error& e) {
    return e.what();
  }
  return "";
}

TEST_F(FeatureCacheTest, ConfigErrorsNameTheKey) {
  const auto path = dir_ / "bad.yaml";
  auto expect_error = [&](const std::string& text, const std::string& fragment) {
    testing::write_text(path, "manifest: images.csv\nbackbone: stats.pt\nout_dir: out\n" + text);
    const auto message = config_error(path);
    EXPECT_NE(message.find(fragment), std::string::npos) << text << " -> '" << message << "'";
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  };
  expect_error("veiws: 2\n", "did you mean 'views'");
  expect_error("pooling: avg\n", "valid: cls, mean, both");
  expect_error("dtype: fp8\n", "dtype");
  expect_error("views: -1\n", "views");
  expect_error("batch_size: 0\n", "batch_size");
  expect_error("preprocess: {std: [1, 0, 1]}\n", "preprocess.std");
  expect_error("preprocess: {crops: 3}\n", "did you mean 'preprocess.crop'");
  expect_error("augment: {horizontal_flip: 1.5}\n", "augment.horizontal_flip");
  expect_error("augment: {random_resized_crop: {scale: [0.5, 0.2]}}\n", "scale");
  expect_error("augment: {color_jitter: {hue: 0.7}}\n", "hue");
  expect_error("tasks: {kind: ordinal}\n", "tasks.kind");
  testing::write_text(path, "backbone: stats.pt\nout_dir: out\n");
  EXPECT_NE(config_error(path).find("manifest"), std::string::npos);
}

TEST_F(FeatureCacheTest, ManifestWithoutPathColumnIsRefused) {
  testing::write_text(dir_ / "images.csv", "file,split,kind\na.png,train,x\nb.png,train,y\n");
  try {
    run();
    FAIL() << "manifest without path accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("no 'path' column"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mmoe::data
