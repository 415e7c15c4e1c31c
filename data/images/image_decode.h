#pragma once
// Decodes JPEG (libjpeg-turbo's TurboJPEG API) and PNG (libpng) files into 8-bit RGB. Every
// colour layout is converted: grayscale, palette, 16-bit, alpha (dropped, not blended), CMYK and
// YCCK JPEGs. The format is told by the file's first bytes, not its name.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "data/images/image_error.h"

namespace mmoe::data {

// An 8-bit RGB image, row-major HWC: pixels[(y * width + x) * 3 + c].
struct RgbImage {
  int64_t height = 0;
  int64_t width = 0;
  std::vector<uint8_t> pixels;  // [H, W, 3]
};

// ImageError naming the file: kMissing (cannot open), kNotImage (not JPEG/PNG), kTruncated
// (data ends early or is corrupt), kUnsupported (zero-sized image).
RgbImage decode_image(const std::filesystem::path& path);
RgbImage decode_image_bytes(const std::vector<uint8_t>& bytes, const std::string& name);

}  // namespace mmoe::data
