// `mmoe backbone random-conv` -> `mmoe cache` -> `data verify` -> `train` on the cached features;
// a bad image is listed, not fatal; a misspelt cache config key fails with one line.
#include <cstdio>
#include <fstream>

#include <gmock/gmock.h>
#include <png.h>

#include "tests/e2e/e2e_fixture.h"

namespace mmoe::e2e {
namespace {

using ::testing::HasSubstr;

// A solid grey 12 x 12 PNG with libpng (8-bit gray).
void write_gray_png(const std::filesystem::path& path, unsigned char value) {
  FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, file);
  png_set_IHDR(png, info, 12, 12, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  std::vector<unsigned char> row(12, value);
  for (int y = 0; y < 12; ++y) png_write_row(png, row.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(file);
}

class CacheCli : public MmoeCli {
 protected:
  // 40 images: 'dark' (value 20 + i) and 'bright' (200 + i) alternate; 28 train, 6 val, 6 test;
  // plus one missing file in train.
  void write_images() {
    std::filesystem::create_directories(test_dir_ / "img");
    std::string csv = "path,split,tone\n";
    for (int i = 0; i < 40; ++i) {
      const bool dark = i % 2 == 0;
      write_gray_png(test_dir_ / "img" / (std::to_string(i) + ".png"), static_cast<unsigned char>((dark ? 20 : 200) + i));
      csv += "img/" + std::to_string(i) + ".png," + (i < 28 ? "train" : i < 34 ? "val" : "test") + "," +
             (dark ? "dark" : "bright") + "\n";
    }
    csv += "img/gone.png,train,dark\n";
    write_file("images.csv", csv);
    write_file("cache.yaml",
               "manifest: images.csv\nbackbone: backbone.pt\nout_dir: features\nviews: 2\nrows_per_shard: 16\n"
               "batch_size: 8\nthreads: 2\npooling: both\npreprocess: {resize: 16, crop: 12}\n");
  }
};

TEST_F(CacheCli, CacheThenVerifyThenTrain) {
  write_images();
  auto result = mmoe({"backbone", "random-conv", "--out", "backbone.pt", "--channels", "8", "--grid", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  result = mmoe({"cache", "cache.yaml"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("train 56 val 6 test 6"));  // 28 train images x 2 views
  EXPECT_THAT(result.out, HasSubstr("bad images: 1 of 41 missing 1"));
  EXPECT_THAT(read_file(test_dir_ / "features" / "cache_report.tsv"), HasSubstr("gone.png\tmissing"));
  result = mmoe({"data", "verify", "features"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  // A second run finds every shard complete.
  result = mmoe({"cache", "cache.yaml"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("rank 0 wrote 0 shards"));
  write_file("train.yaml", "data: {dir: features}\nmodel: {num_experts: 2, expert_hidden: [8], tower_hidden: []}\n"
                           "train: {epochs: 1, batch_size: 16, progress: none}\ntracking: {store: " +
                               store_.string() + "}\n");
  result = mmoe({"train", "train.yaml"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
}

TEST_F(CacheCli, MisspeltKeyFailsWithOneLine) {
  write_file("bad.yaml", "manifest: images.csv\nbackbone: backbone.pt\nout_dir: features\npoolng: cls\n");
  const auto result = mmoe({"cache", "bad.yaml"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("did you mean 'pooling'"));
  EXPECT_EQ(count_lines(result.err), 1) << result.err;
}

}  // namespace
}  // namespace mmoe::e2e
