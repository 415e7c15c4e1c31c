#include "data/images/image_transform.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace mmoe::data {
namespace {

torch::Tensor blend(const torch::Tensor& a, const torch::Tensor& b, double ratio) {
  return (ratio * a + (1.0 - ratio) * b).clamp(0.0, 1.0);
}

// torchvision's _rgb2hsv / _hsv2rgb on [3, H, W].
torch::Tensor rgb_to_hsv(const torch::Tensor& image) {
  const auto r = image[0], g = image[1], b = image[2];
  const auto maxc = std::get<0>(image.max(0));
  const auto minc = std::get<0>(image.min(0));
  const auto eqc = maxc.eq(minc);
  const auto cr = maxc - minc;
  const auto ones = torch::ones_like(maxc);
  const auto s = cr / torch::where(eqc, ones, maxc);
  const auto divisor = torch::where(eqc, ones, cr);
  const auto rc = (maxc - r) / divisor, gc = (maxc - g) / divisor, bc = (maxc - b) / divisor;
  const auto hr = maxc.eq(r).to(image.dtype()) * (bc - gc);
  const auto hg = (maxc.eq(g) & maxc.ne(r)).to(image.dtype()) * (2.0 + rc - bc);
  const auto hb = (maxc.ne(g) & maxc.ne(r)).to(image.dtype()) * (4.0 + gc - rc);
  const auto h = torch::fmod((hr + hg + hb) / 6.0 + 1.0, 1.0);
  return torch::stack({h, s, maxc}, 0);
}

torch::Tensor hsv_to_rgb(const torch::Tensor& hsv) {
  const auto h = hsv[0], s = hsv[1], v = hsv[2];
  const auto i_float = torch::floor(h * 6.0);
  const auto f = h * 6.0 - i_float;
  const auto i = torch::remainder(i_float.to(torch::kInt64), 6);
  const auto p = (v * (1.0 - s)).clamp(0.0, 1.0);
  const auto q = (v * (1.0 - s * f)).clamp(0.0, 1.0);
  const auto t = (v * (1.0 - s * (1.0 - f))).clamp(0.0, 1.0);
  const std::vector<std::array<torch::Tensor, 3>> sector = {{v, t, p}, {q, v, p}, {p, v, t},
                                                            {p, q, v}, {t, p, v}, {v, p, q}};
  auto out = torch::zeros_like(hsv);
  for (int64_t k = 0; k < 6; ++k) {
    const auto mask = i.eq(k).to(hsv.dtype());
    for (int64_t c = 0; c < 3; ++c) out[c] += mask * sector[static_cast<size_t>(k)][static_cast<size_t>(c)];
  }
  return out;
}

}  // namespace

torch::Tensor to_float_chw(const RgbImage& image) {
  auto hwc = torch::from_blob(const_cast<uint8_t*>(image.pixels.data()), {image.height, image.width, 3}, torch::kUInt8);
  return hwc.permute({2, 0, 1}).to(torch::kFloat32).div_(255.0).contiguous();
}

torch::Tensor resize(const torch::Tensor& image, int64_t height, int64_t width, bool antialias) {
  if (image.size(1) == height && image.size(2) == width) return image;
  namespace F = torch::nn::functional;
  const bool shrinking = height < image.size(1) || width < image.size(2);
  return F::interpolate(image.unsqueeze(0), F::InterpolateFuncOptions()
                                                .size(std::vector<int64_t>{height, width})
                                                .mode(torch::kBilinear)
                                                .align_corners(false)
                                                .antialias(antialias && shrinking))
      .squeeze(0);
}

torch::Tensor resize_shorter_side(const torch::Tensor& image, int64_t size, bool antialias) {
  if (size <= 0) return image;
  const int64_t h = image.size(1), w = image.size(2);
  if (h <= w) return resize(image, size, static_cast<int64_t>(static_cast<double>(size) * w / h), antialias);
  return resize(image, static_cast<int64_t>(static_cast<double>(size) * h / w), size, antialias);
}

torch::Tensor center_crop(const torch::Tensor& image, int64_t size) {
  auto padded = image;
  const int64_t h = image.size(1), w = image.size(2);
  if (h < size || w < size) {  // torchvision pads (left, top) by (size - side) / 2 rounded down
    const int64_t pad_h = std::max<int64_t>(0, size - h), pad_w = std::max<int64_t>(0, size - w);
    padded = torch::constant_pad_nd(image, {pad_w / 2, (pad_w + 1) / 2, pad_h / 2, (pad_h + 1) / 2}, 0.0);
  }
  const int64_t top = static_cast<int64_t>(std::lround((padded.size(1) - size) / 2.0));
  const int64_t left = static_cast<int64_t>(std::lround((padded.size(2) - size) / 2.0));
  return padded.slice(1, top, top + size).slice(2, left, left + size);
}

CropBox random_resized_crop_box(int64_t height, int64_t width, const RandomResizedCropOptions& options,
                                CounterRng& rng) {
  const double area = static_cast<double>(height * width);
  const double log_low = std::log(options.ratio[0]), log_high = std::log(options.ratio[1]);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * rng.uniform(options.scale[0], options.scale[1]);
    const double aspect = std::exp(rng.uniform(log_low, log_high));
    const auto w = static_cast<int64_t>(std::lround(std::sqrt(target * aspect)));
    const auto h = static_cast<int64_t>(std::lround(std::sqrt(target / aspect)));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const int64_t top = rng.integer(0, height - h);
      const int64_t left = rng.integer(0, width - w);
      return {top, left, h, w};
    }
  }
  const double in_ratio = static_cast<double>(width) / static_cast<double>(height);
  int64_t w = width, h = height;
  if (in_ratio < options.ratio[0]) {
    h = static_cast<int64_t>(std::lround(static_cast<double>(w) / options.ratio[0]));
  } else if (in_ratio > options.ratio[1]) {
    w = static_cast<int64_t>(std::lround(static_cast<double>(h) * options.ratio[1]));
  }
  return {(height - h) / 2, (width - w) / 2, h, w};
}

torch::Tensor grayscale(const torch::Tensor& image) {
  return (0.299 * image[0] + 0.587 * image[1] + 0.114 * image[2]).unsqueeze(0);
}

torch::Tensor adjust_brightness(const torch::Tensor& image, double factor) {
  return blend(image, torch::zeros_like(image), factor);
}

torch::Tensor adjust_contrast(const torch::Tensor& image, double factor) {
  return blend(image, grayscale(image).mean().expand_as(image), factor);
}

torch::Tensor adjust_saturation(const torch::Tensor& image, double factor) {
  return blend(image, grayscale(image).expand_as(image), factor);
}

torch::Tensor adjust_hue(const torch::Tensor& image, double shift) {
  auto hsv = rgb_to_hsv(image);
  hsv[0] = torch::remainder(hsv[0] + shift, 1.0);
  return hsv_to_rgb(hsv);
}

torch::Tensor color_jitter(const torch::Tensor& image, const ColorJitterOptions& options, CounterRng& rng) {
  std::array<int, 4> order{0, 1, 2, 3};
  for (int i = 3; i > 0; --i) std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(rng.integer(0, i))]);
  const double brightness = rng.uniform(std::max(0.0, 1.0 - options.brightness), 1.0 + options.brightness);
  const double contrast = rng.uniform(std::max(0.0, 1.0 - options.contrast), 1.0 + options.contrast);
  const double saturation = rng.uniform(std::max(0.0, 1.0 - options.saturation), 1.0 + options.saturation);
  const double hue = rng.uniform(-options.hue, options.hue);
  auto out = image;
  for (const int step : order) {
    if (step == 0 && options.brightness > 0) out = adjust_brightness(out, brightness);
    if (step == 1 && options.contrast > 0) out = adjust_contrast(out, contrast);
    if (step == 2 && options.saturation > 0) out = adjust_saturation(out, saturation);
    if (step == 3 && options.hue > 0) out = adjust_hue(out, hue);
  }
  return out;
}

torch::Tensor coarse_dropout(const torch::Tensor& image, const CoarseDropoutOptions& options, CounterRng& rng) {
  auto out = image.clone();
  const int64_t h = image.size(1), w = image.size(2);
  const auto hole_h = std::clamp<int64_t>(std::lround(options.size * static_cast<double>(h)), 1, h);
  const auto hole_w = std::clamp<int64_t>(std::lround(options.size * static_cast<double>(w)), 1, w);
  for (int64_t k = 0; k < options.holes; ++k) {
    const int64_t top = rng.integer(0, h - hole_h), left = rng.integer(0, w - hole_w);
    out.slice(1, top, top + hole_h).slice(2, left, left + hole_w).zero_();
  }
  return out;
}

torch::Tensor normalize(const torch::Tensor& image, const std::array<double, 3>& mean, const std::array<double, 3>& std) {
  const auto m = torch::tensor({mean[0], mean[1], mean[2]}, torch::kFloat64).to(image.dtype()).view({3, 1, 1});
  const auto s = torch::tensor({std[0], std[1], std[2]}, torch::kFloat64).to(image.dtype()).view({3, 1, 1});
  return (image - m) / s;
}

torch::Tensor preprocess_view(const RgbImage& image, const PreprocessOptions& options, uint64_t seed,
                              uint64_t image_index, int64_t view) {
  auto pixels = to_float_chw(image);  // [3, H, W]
  if (view == 0) {
    pixels = center_crop(resize_shorter_side(pixels, options.resize, options.antialias), options.crop);
    return normalize(pixels, options.mean, options.std).contiguous();
  }
  const auto& augment = options.augment;
  CounterRng rng(seed, image_index, static_cast<uint64_t>(view));
  if (augment.random_resized_crop.enabled) {
    const auto box = random_resized_crop_box(image.height, image.width, augment.random_resized_crop, rng);
    pixels = pixels.slice(1, box.top, box.top + box.height).slice(2, box.left, box.left + box.width);
    pixels = resize(pixels, options.crop, options.crop, options.antialias);
  } else {
    pixels = center_crop(resize_shorter_side(pixels, options.resize, options.antialias), options.crop);
  }
  // Every draw is made whether or not its transform applies, so one setting never shifts the others.
  const bool flip = rng.chance(augment.horizontal_flip);
  if (flip) pixels = pixels.flip({2});
  const bool jitter = rng.chance(augment.color_jitter.probability);
  CounterRng jitter_rng(seed ^ 0x6A09E667F3BCC908ULL, image_index, static_cast<uint64_t>(view));
  if (jitter) pixels = color_jitter(pixels, augment.color_jitter, jitter_rng);
  const bool dropout = rng.chance(augment.coarse_dropout.probability);
  CounterRng dropout_rng(seed ^ 0xBB67AE8584CAA73BULL, image_index, static_cast<uint64_t>(view));
  if (dropout) pixels = coarse_dropout(pixels, augment.coarse_dropout, dropout_rng);
  return normalize(pixels, options.mean, options.std).contiguous();
}

}  // namespace mmoe::data
