// Transforms against values computed by hand, and augmentation determinism.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "data/images/counter_rng.h"
#include "data/images/image_transform.h"

namespace mmoe::data {
namespace {

// A [3, 1, 1] image of one colour.
torch::Tensor pixel(double r, double g, double b) { return torch::tensor({r, g, b}, torch::kFloat32).view({3, 1, 1}); }

void expect_pixel(const torch::Tensor& image, double r, double g, double b) {
  EXPECT_NEAR(image[0][0][0].item<double>(), r, 1e-5);
  EXPECT_NEAR(image[1][0][0].item<double>(), g, 1e-5);
  EXPECT_NEAR(image[2][0][0].item<double>(), b, 1e-5);
}

RgbImage gradient_image(int64_t height, int64_t width) {
  RgbImage image{height, width, {}};
  for (int64_t y = 0; y < height; ++y) {
    for (int64_t x = 0; x < width; ++x) {
      image.pixels.insert(image.pixels.end(), {uint8_t(x * 255 / width), uint8_t(y * 255 / height), uint8_t(77)});
    }
  }
  return image;
}

TEST(CounterRngTest, SameTripleSameStreamOtherTripleOther) {
  CounterRng a(1, 2, 3), b(1, 2, 3), c(1, 2, 4), d(2, 2, 3);
  const auto first = a.next_u64();
  EXPECT_EQ(first, b.next_u64());
  EXPECT_NE(first, c.next_u64());
  EXPECT_NE(first, d.next_u64());
  CounterRng u(7, 0, 0);
  double sum = 0.0;
  for (int i = 0; i < 20000; ++i) {
    const double x = u.uniform();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    sum += x;
  }
  EXPECT_NEAR(sum / 20000.0, 0.5, 0.01);
  std::set<int64_t> seen;
  for (int i = 0; i < 200; ++i) seen.insert(u.integer(2, 4));
  EXPECT_EQ(seen, (std::set<int64_t>{2, 3, 4}));
}

TEST(ImageTransformTest, ToFloatChwScalesAndTransposes) {
  const RgbImage image{1, 2, {255, 0, 51, 0, 102, 255}};
  const auto chw = to_float_chw(image);
  ASSERT_EQ(chw.sizes(), (std::vector<int64_t>{3, 1, 2}));
  EXPECT_FLOAT_EQ(chw[0][0][0].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(chw[2][0][0].item<float>(), 0.2f);
  EXPECT_FLOAT_EQ(chw[1][0][1].item<float>(), 0.4f);
}

TEST(ImageTransformTest, BilinearUpscaleByHand) {
  // Row [0, 1] to width 4: source x = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to
  // [0, 1] -> values 0, 0.25, 0.75, 1.
  const auto image = torch::tensor({0.0f, 1.0f}).view({1, 1, 2}).expand({3, 1, 2}).contiguous();
  const auto out = resize(image, 1, 4, true);
  const std::vector<float> expected = {0.0f, 0.25f, 0.75f, 1.0f};
  for (int64_t x = 0; x < 4; ++x) EXPECT_NEAR(out[0][0][x].item<float>(), expected[static_cast<size_t>(x)], 1e-6);
}

TEST(ImageTransformTest, BilinearDownscaleWithAndWithoutAntialias) {
  // Row [0, 1, 2, 3] to width 2. Plain bilinear samples x = (i + 0.5) * 2 - 0.5 = 0.5, 2.5 ->
  // 0.5, 2.5. Antialiased: a triangle filter of half-width 2 source pixels centred at 1 and 3
  // (pixel centres at 0.5, 1.5, ...): weights of pixels 0, 1, 2 are 0.75, 0.75, 0.25 (sum 1.75)
  // -> (0 * 0.75 + 1 * 0.75 + 2 * 0.25) / 1.75 = 5/7; by symmetry the other is 3 - 5/7 = 16/7.
  const auto image = torch::tensor({0.0f, 1.0f, 2.0f, 3.0f}).view({1, 1, 4}).expand({3, 1, 4}).contiguous();
  const auto plain = resize(image, 1, 2, false);
  EXPECT_NEAR(plain[0][0][0].item<float>(), 0.5f, 1e-6);
  EXPECT_NEAR(plain[0][0][1].item<float>(), 2.5f, 1e-6);
  const auto smooth = resize(image, 1, 2, true);
  EXPECT_NEAR(smooth[0][0][0].item<float>(), 5.0f / 7.0f, 1e-5);
  EXPECT_NEAR(smooth[0][0][1].item<float>(), 16.0f / 7.0f, 1e-5);
}

TEST(ImageTransformTest, ShorterSideAndCenterCrop) {
  const auto image = torch::arange(3 * 4 * 8, torch::kFloat32).view({3, 4, 8});
  EXPECT_EQ(resize_shorter_side(image, 2, false).sizes(), (std::vector<int64_t>{3, 2, 4}));
  EXPECT_EQ(resize_shorter_side(image.transpose(1, 2), 2, false).sizes(), (std::vector<int64_t>{3, 4, 2}));
  // 4 x 8 -> 2 x 2 centre: rows 1..2, columns 3..4.
  const auto crop = center_crop(image, 2);
  EXPECT_EQ(crop[0][0][0].item<float>(), 1 * 8 + 3);
  EXPECT_EQ(crop[0][1][1].item<float>(), 2 * 8 + 4);
  // Too small: zero-padded around the image (2 x 2 inside a 4 x 4 at offset 1).
  const auto padded = center_crop(torch::ones({3, 2, 2}), 4);
  EXPECT_EQ(padded.sum().item<float>(), 3 * 4);
  EXPECT_EQ(padded[0][1][1].item<float>(), 1.0f);
  EXPECT_EQ(padded[0][0][0].item<float>(), 0.0f);
}

TEST(ImageTransformTest, RandomResizedCropBoxStaysInRange) {
  const RandomResizedCropOptions options;  // scale [0.08, 1], ratio [3/4, 4/3]
  for (uint64_t image = 0; image < 200; ++image) {
    CounterRng rng(0, image, 1);
    const auto box = random_resized_crop_box(60, 80, options, rng);
    ASSERT_GE(box.top, 0);
    ASSERT_GE(box.left, 0);
    ASSERT_LE(box.top + box.height, 60);
    ASSERT_LE(box.left + box.width, 80);
    const double area = static_cast<double>(box.height * box.width) / (60.0 * 80.0);
    // Rounding of w and h moves area and ratio a little beyond the drawn values.
    EXPECT_GE(area, 0.06);
    EXPECT_LE(area, 1.0);
    const double ratio = static_cast<double>(box.width) / static_cast<double>(box.height);
    EXPECT_GE(ratio, 0.6);
    EXPECT_LE(ratio, 1.6);
  }
}

TEST(ImageTransformTest, RandomResizedCropFallsBackToCentre) {
  // A ratio of exactly 10 never fits a 20 x 20 image with area <= 1: fallback w = 20, h = 2,
  // centred at top (20 - 2) / 2 = 9.
  RandomResizedCropOptions options;
  options.scale = {1.0, 1.0};
  options.ratio = {10.0, 10.0};
  CounterRng rng(0, 0, 1);
  const auto box = random_resized_crop_box(20, 20, options, rng);
  EXPECT_EQ(box.width, 20);
  EXPECT_EQ(box.height, 2);
  EXPECT_EQ(box.top, 9);
  EXPECT_EQ(box.left, 0);
}

TEST(ImageTransformTest, ColourAdjustmentsByHand) {
  expect_pixel(adjust_brightness(pixel(0.2, 0.4, 0.6), 0.5), 0.1, 0.2, 0.3);
  expect_pixel(adjust_brightness(pixel(0.2, 0.4, 0.8), 2.0), 0.4, 0.8, 1.0);  // clamped
  // gray = 0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6 = 0.363
  expect_pixel(adjust_saturation(pixel(0.2, 0.4, 0.6), 0.0), 0.363, 0.363, 0.363);
  expect_pixel(adjust_saturation(pixel(0.2, 0.4, 0.6), 0.5), 0.2815, 0.3815, 0.4815);
  // contrast blends with the mean gray of the image; two pixels, grays 0.299 and 0.587 -> 0.443.
  const auto two = torch::tensor({1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f}).view({3, 1, 2});
  const auto low = adjust_contrast(two, 0.0);
  EXPECT_NEAR(low[0][0][0].item<float>(), 0.443, 1e-5);
  EXPECT_NEAR(low[2][0][1].item<float>(), 0.443, 1e-5);
  // hue: red shifted a third of a turn is green, half a turn is cyan.
  expect_pixel(adjust_hue(pixel(1, 0, 0), 1.0 / 3.0), 0, 1, 0);
  expect_pixel(adjust_hue(pixel(1, 0, 0), 0.5), 0, 1, 1);
  expect_pixel(adjust_hue(pixel(0.5, 0.5, 0.5), 0.25), 0.5, 0.5, 0.5);  // gray has no hue
}

TEST(ImageTransformTest, NormalizeByHand) {
  expect_pixel(normalize(pixel(0.485, 0.5, 1.0), {0.485, 0.456, 0.406}, {0.229, 0.224, 0.225}), 0.0,
               (0.5 - 0.456) / 0.224, (1.0 - 0.406) / 0.225);
}

TEST(ImageTransformTest, CoarseDropoutZeroesHoles) {
  CoarseDropoutOptions options;
  options.holes = 1;
  options.size = 0.25;  // 2 x 2 in an 8 x 8 image
  CounterRng rng(3, 1, 1);
  const auto out = coarse_dropout(torch::ones({3, 8, 8}), options, rng);
  EXPECT_EQ(out.eq(0).sum().item<int64_t>(), 3 * 2 * 2);
}

TEST(ImageTransformTest, AugmentedViewsAreDeterministic) {
  PreprocessOptions options;
  options.resize = 40;
  options.crop = 32;
  options.augment.coarse_dropout.probability = 0.5;
  const auto image = gradient_image(48, 64);
  const auto a = preprocess_view(image, options, 5, 17, 1);
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{3, 32, 32}));
  EXPECT_TRUE(torch::equal(a, preprocess_view(image, options, 5, 17, 1)));  // same triple
  EXPECT_FALSE(torch::equal(a, preprocess_view(image, options, 5, 17, 2)));  // other view
  EXPECT_FALSE(torch::equal(a, preprocess_view(image, options, 6, 17, 1)));  // other seed
  EXPECT_FALSE(torch::equal(a, preprocess_view(image, options, 5, 18, 1)));  // other image
  // View 0 is the plain view: no draws, the same for any seed.
  EXPECT_TRUE(torch::equal(preprocess_view(image, options, 1, 17, 0), preprocess_view(image, options, 2, 17, 0)));
}

TEST(ImageTransformTest, PlainViewOfSolidImageIsNormalizedColour) {
  PreprocessOptions options;  // DINOv2 defaults: 256 then 224
  RgbImage image{300, 400, {}};
  for (int i = 0; i < 300 * 400; ++i) image.pixels.insert(image.pixels.end(), {255, 0, 51});
  const auto view = preprocess_view(image, options, 0, 0, 0);
  ASSERT_EQ(view.sizes(), (std::vector<int64_t>{3, 224, 224}));
  EXPECT_NEAR(view[0].mean().item<double>(), (1.0 - 0.485) / 0.229, 1e-5);
  EXPECT_NEAR(view[1].mean().item<double>(), (0.0 - 0.456) / 0.224, 1e-5);
  EXPECT_NEAR(view[2].mean().item<double>(), (0.2 - 0.406) / 0.225, 1e-5);
}

}  // namespace
}  // namespace mmoe::data
