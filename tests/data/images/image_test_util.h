#pragma once
// Writes small test images with libpng and TurboJPEG directly (not through the decoder under
// test), and a tiny TorchScript backbone whose outputs are easy to compute by hand.
#include <cstdint>
#include <filesystem>
#include <vector>

#include <torch/script.h>

namespace mmoe::data::testing {

enum class PngLayout { kRgb8, kGray8, kRgba8, kRgb16, kPalette };

// `values` are per pixel: kRgb8 3 bytes, kGray8 1, kRgba8 4, kPalette 1 index (into `palette`,
// RGB triples); kRgb16 takes 3 uint16 per pixel, given as pairs of bytes (big-endian).
void write_png(const std::filesystem::path& path, int width, int height, PngLayout layout,
               const std::vector<uint8_t>& values, const std::vector<uint8_t>& palette = {});
// RGB (3 bytes / pixel), 4:4:4, or gray (1 byte / pixel), or CMYK (4 bytes / pixel, Adobe
// inverted: 255 = no ink), at `quality`.
void write_jpeg_rgb(const std::filesystem::path& path, int width, int height, const std::vector<uint8_t>& rgb,
                    int quality = 100);
void write_jpeg_gray(const std::filesystem::path& path, int width, int height, const std::vector<uint8_t>& gray);
void write_jpeg_cmyk(const std::filesystem::path& path, int width, int height, const std::vector<uint8_t>& cmyk);
// A solid-colour RGB PNG of size x size.
void write_solid_png(const std::filesystem::path& path, int size, uint8_t r, uint8_t g, uint8_t b);

std::vector<uint8_t> read_bytes(const std::filesystem::path& path);
void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes);
void write_text(const std::filesystem::path& path, const std::string& text);

// forward(x [B, 3, S, S]) -> tokens [B, 3, 3]: token 0 = per-channel mean over pixels,
// token 1 = per-channel max, token 2 = per-channel min. So cls = channel means and
// mean pooling = (max + min) / 2 per channel.
torch::jit::Module make_stats_backbone();
// forward(x) -> [B, 3] channel means (an already pooled backbone).
torch::jit::Module make_pooled_backbone();

}  // namespace mmoe::data::testing
