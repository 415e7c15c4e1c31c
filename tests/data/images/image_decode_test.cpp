// Decoding: exact pixels of PNGs of every layout, JPEG within tolerance at quality 100, and a
// typed ImageError for each kind of bad file.
#include <gtest/gtest.h>

#include "data/images/image_decode.h"
#include "tests/data/images/image_test_util.h"

namespace mmoe::data {
namespace {

namespace fs = std::filesystem;
using testing::PngLayout;

class ImageDecodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mmoe_decode_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

ImageErrorKind kind_of(const fs::path& path) {
  try {
    decode_image(path);
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    return e.kind();
  }
  ADD_FAILURE() << path << " decoded";
  return ImageErrorKind::kUnsupported;
}

TEST_F(ImageDecodeTest, Rgb8PngPixelsExact) {
  // 3 x 2 image, row-major: (10,20,30) (40,50,60) (70,80,90) / (0,0,0) (255,255,255) (1,2,3)
  const std::vector<uint8_t> rgb = {10, 20, 30, 40, 50, 60, 70, 80, 90, 0, 0, 0, 255, 255, 255, 1, 2, 3};
  testing::write_png(dir_ / "a.png", 3, 2, PngLayout::kRgb8, rgb);
  const auto image = decode_image(dir_ / "a.png");
  EXPECT_EQ(image.height, 2);
  EXPECT_EQ(image.width, 3);
  EXPECT_EQ(image.pixels, rgb);
}

TEST_F(ImageDecodeTest, GrayPngBecomesEqualRgb) {
  testing::write_png(dir_ / "g.png", 2, 1, PngLayout::kGray8, {7, 200});
  EXPECT_EQ(decode_image(dir_ / "g.png").pixels, (std::vector<uint8_t>{7, 7, 7, 200, 200, 200}));
}

TEST_F(ImageDecodeTest, AlphaPngDropsAlpha) {
  testing::write_png(dir_ / "a.png", 2, 1, PngLayout::kRgba8, {1, 2, 3, 0, 4, 5, 6, 255});
  EXPECT_EQ(decode_image(dir_ / "a.png").pixels, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
}

TEST_F(ImageDecodeTest, SixteenBitPngKeepsHighByte) {
  // One pixel: R = 0x1234, G = 0xABCD, B = 0xFF00 (big-endian samples).
  testing::write_png(dir_ / "d.png", 1, 1, PngLayout::kRgb16, {0x12, 0x34, 0xAB, 0xCD, 0xFF, 0x00});
  EXPECT_EQ(decode_image(dir_ / "d.png").pixels, (std::vector<uint8_t>{0x12, 0xAB, 0xFF}));
}

TEST_F(ImageDecodeTest, PalettePngLooksUpColours) {
  testing::write_png(dir_ / "p.png", 3, 1, PngLayout::kPalette, {1, 0, 1}, {9, 8, 7, 100, 150, 200});
  EXPECT_EQ(decode_image(dir_ / "p.png").pixels, (std::vector<uint8_t>{100, 150, 200, 9, 8, 7, 100, 150, 200}));
}

TEST_F(ImageDecodeTest, JpegAtQuality100WithinTwoLevels) {
  std::vector<uint8_t> rgb;
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) rgb.insert(rgb.end(), {uint8_t(8 * x), uint8_t(8 * y), uint8_t(100)});
  }
  testing::write_jpeg_rgb(dir_ / "a.jpg", 16, 16, rgb);
  const auto image = decode_image(dir_ / "a.jpg");
  ASSERT_EQ(image.height, 16);
  ASSERT_EQ(image.width, 16);
  ASSERT_EQ(image.pixels.size(), rgb.size());
  for (size_t i = 0; i < rgb.size(); ++i) EXPECT_NEAR(image.pixels[i], rgb[i], 2) << "byte " << i;
}

TEST_F(ImageDecodeTest, GrayJpegBecomesEqualRgb) {
  testing::write_jpeg_gray(dir_ / "g.jpg", 8, 8, std::vector<uint8_t>(64, 90));
  const auto image = decode_image(dir_ / "g.jpg");
  ASSERT_EQ(image.pixels.size(), 8u * 8u * 3u);
  for (const auto value : image.pixels) EXPECT_NEAR(value, 90, 1);
}

TEST_F(ImageDecodeTest, CmykJpegConvertedToRgb) {
  // Adobe-inverted CMYK (255 = no ink): (200, 100, 50, K=255) -> RGB (200, 100, 50);
  // with K = 128: each x 128 / 255 -> (100, 50, 25).
  std::vector<uint8_t> cmyk;
  for (int i = 0; i < 64; ++i) cmyk.insert(cmyk.end(), {200, 100, 50, 255});
  testing::write_jpeg_cmyk(dir_ / "c.jpg", 8, 8, cmyk);
  auto image = decode_image(dir_ / "c.jpg");
  ASSERT_EQ(image.pixels.size(), 8u * 8u * 3u);
  EXPECT_NEAR(image.pixels[0], 200, 3);
  EXPECT_NEAR(image.pixels[1], 100, 3);
  EXPECT_NEAR(image.pixels[2], 50, 3);
  cmyk.clear();
  for (int i = 0; i < 64; ++i) cmyk.insert(cmyk.end(), {200, 100, 50, 128});
  testing::write_jpeg_cmyk(dir_ / "k.jpg", 8, 8, cmyk);
  image = decode_image(dir_ / "k.jpg");
  EXPECT_NEAR(image.pixels[0], 100, 3);
  EXPECT_NEAR(image.pixels[1], 50, 3);
  EXPECT_NEAR(image.pixels[2], 25, 3);
}

TEST_F(ImageDecodeTest, MissingFile) { EXPECT_EQ(kind_of(dir_ / "nope.png"), ImageErrorKind::kMissing); }

TEST_F(ImageDecodeTest, NotAnImage) {
  testing::write_text(dir_ / "notes.png", "just some text, not a picture\n");
  EXPECT_EQ(kind_of(dir_ / "notes.png"), ImageErrorKind::kNotImage);
  testing::write_text(dir_ / "empty.jpg", "");
  EXPECT_EQ(kind_of(dir_ / "empty.jpg"), ImageErrorKind::kNotImage);
}

TEST_F(ImageDecodeTest, TruncatedPng) {
  std::vector<uint8_t> rgb(32 * 32 * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 7);
  testing::write_png(dir_ / "full.png", 32, 32, PngLayout::kRgb8, rgb);
  auto bytes = testing::read_bytes(dir_ / "full.png");
  bytes.resize(bytes.size() / 2);
  testing::write_bytes(dir_ / "half.png", bytes);
  EXPECT_EQ(kind_of(dir_ / "half.png"), ImageErrorKind::kTruncated);
}

TEST_F(ImageDecodeTest, TruncatedJpeg) {
  std::vector<uint8_t> rgb(32 * 32 * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 13);
  testing::write_jpeg_rgb(dir_ / "full.jpg", 32, 32, rgb);
  auto bytes = testing::read_bytes(dir_ / "full.jpg");
  bytes.resize(bytes.size() / 2);
  testing::write_bytes(dir_ / "half.jpg", bytes);
  EXPECT_EQ(kind_of(dir_ / "half.jpg"), ImageErrorKind::kTruncated);
  testing::write_bytes(dir_ / "header.jpg", {0xFF, 0xD8, 0xFF, 0xE0});
  EXPECT_EQ(kind_of(dir_ / "header.jpg"), ImageErrorKind::kTruncated);
}

}  // namespace
}  // namespace mmoe::data
