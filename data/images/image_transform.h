#pragma once
// Geometric and colour transforms on float images [3, H, W] with values in [0, 1] (as
// torchvision's functional transforms on tensors). Each is a pure function of its arguments.
#include <cstdint>

#include <torch/torch.h>

#include "data/images/counter_rng.h"
#include "data/images/image_decode.h"
#include "data/images/preprocess_options.h"

namespace mmoe::data {

// uint8 HWC -> float32 [3, H, W] in [0, 1].
torch::Tensor to_float_chw(const RgbImage& image);

// Bilinear resize to [3, height, width] (half-pixel centres, align_corners false); `antialias`
// widens the filter when shrinking (as torchvision's antialias=True).
torch::Tensor resize(const torch::Tensor& image, int64_t height, int64_t width, bool antialias);
// Shorter side to `size`, the longer one scaled to keep the aspect ratio (rounded down, as
// torchvision). size 0 returns the image unchanged.
torch::Tensor resize_shorter_side(const torch::Tensor& image, int64_t size, bool antialias);
// The centred size x size window; an image smaller than that is zero-padded first (torchvision).
torch::Tensor center_crop(const torch::Tensor& image, int64_t size);

struct CropBox {
  int64_t top = 0, left = 0, height = 0, width = 0;
};
// torchvision's RandomResizedCrop.get_params: up to 10 tries of (area scale, log-uniform ratio),
// then a center crop with the ratio clamped into range.
CropBox random_resized_crop_box(int64_t height, int64_t width, const RandomResizedCropOptions& options,
                                CounterRng& rng);

// ColorJitter with factors drawn from `rng` and the four adjustments in a random order (as
// torchvision); results clamped to [0, 1].
torch::Tensor color_jitter(const torch::Tensor& image, const ColorJitterOptions& options, CounterRng& rng);
torch::Tensor adjust_brightness(const torch::Tensor& image, double factor);
torch::Tensor adjust_contrast(const torch::Tensor& image, double factor);
torch::Tensor adjust_saturation(const torch::Tensor& image, double factor);
torch::Tensor adjust_hue(const torch::Tensor& image, double shift);  // shift in [-0.5, 0.5] turns
// 0.299 R + 0.587 G + 0.114 B, [1, H, W].
torch::Tensor grayscale(const torch::Tensor& image);

// `holes` rectangles of side round(size * crop side), at uniform positions inside the image, set to 0.
torch::Tensor coarse_dropout(const torch::Tensor& image, const CoarseDropoutOptions& options, CounterRng& rng);

// (image - mean) / std per channel.
torch::Tensor normalize(const torch::Tensor& image, const std::array<double, 3>& mean, const std::array<double, 3>& std);

// The backbone input [3, crop, crop] for one view: view 0 is the plain view (resize shorter
// side, center crop, normalise); view >= 1 is augmented with draws from CounterRng(seed, image, view).
torch::Tensor preprocess_view(const RgbImage& image, const PreprocessOptions& options, uint64_t seed,
                              uint64_t image_index, int64_t view);

}  // namespace mmoe::data
