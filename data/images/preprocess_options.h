#pragma once
// How the feature cache turns a decoded image into the backbone's input (docs/cache.md). The
// defaults are DINOv2's evaluation transform: resize the shorter side to 256 (bilinear,
// antialiased), center crop 224, normalise with ImageNet mean and std.
#include <array>
#include <cstdint>
#include <string>

namespace mmoe::data {

struct RandomResizedCropOptions {
  bool enabled = true;                       // off: augmented views use resize + center crop
  std::array<double, 2> scale{0.08, 1.0};    // fraction of the image area
  std::array<double, 2> ratio{3.0 / 4.0, 4.0 / 3.0};  // width / height
};

struct ColorJitterOptions {
  double probability = 0.8;  // torchvision's RandomApply around ColorJitter
  double brightness = 0.4;   // factor in [max(0, 1 - b), 1 + b]
  double contrast = 0.4;
  double saturation = 0.2;
  double hue = 0.1;  // shift in [-h, h] of a full turn, h <= 0.5
};

struct CoarseDropoutOptions {
  double probability = 0.0;  // 0: off
  int64_t holes = 1;         // rectangles per image
  double size = 0.1;         // side of each hole as a fraction of the crop side
};

// Only the augmented views of training images (view >= 1) use these.
struct AugmentOptions {
  RandomResizedCropOptions random_resized_crop;
  double horizontal_flip = 0.5;  // probability
  ColorJitterOptions color_jitter;
  CoarseDropoutOptions coarse_dropout;
};

struct PreprocessOptions {
  int64_t resize = 256;  // shorter side before the center crop; 0: no resize
  int64_t crop = 224;    // square side of the backbone input
  bool antialias = true;  // when shrinking
  std::array<double, 3> mean{0.485, 0.456, 0.406};
  std::array<double, 3> std{0.229, 0.224, 0.225};
  AugmentOptions augment;
};

// One line naming every setting, stored in each shard's `preprocessing` attribute.
std::string describe(const PreprocessOptions& options, int64_t views);

}  // namespace mmoe::data
