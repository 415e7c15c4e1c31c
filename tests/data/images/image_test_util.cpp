#include "tests/data/images/image_test_util.h"

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <png.h>
#include <turbojpeg.h>

namespace mmoe::data::testing {

void write_png(const std::filesystem::path& path, int width, int height, PngLayout layout,
               const std::vector<uint8_t>& values, const std::vector<uint8_t>& palette) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("cannot write " + path.string());
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(file);
    throw std::runtime_error("libpng failed writing " + path.string());
  }
  png_init_io(png, file);
  int color = PNG_COLOR_TYPE_RGB, depth = 8;
  size_t bytes_per_pixel = 3;
  switch (layout) {
    case PngLayout::kRgb8: break;
    case PngLayout::kGray8: color = PNG_COLOR_TYPE_GRAY; bytes_per_pixel = 1; break;
    case PngLayout::kRgba8: color = PNG_COLOR_TYPE_RGBA; bytes_per_pixel = 4; break;
    case PngLayout::kRgb16: depth = 16; bytes_per_pixel = 6; break;
    case PngLayout::kPalette: color = PNG_COLOR_TYPE_PALETTE; bytes_per_pixel = 1; break;
  }
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), depth, color,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  std::vector<png_color> colors;
  if (layout == PngLayout::kPalette) {
    for (size_t i = 0; i + 2 < palette.size(); i += 3) colors.push_back({palette[i], palette[i + 1], palette[i + 2]});
    png_set_PLTE(png, info, colors.data(), static_cast<int>(colors.size()));
  }
  png_write_info(png, info);
  std::vector<uint8_t> row_data(values);
  for (int y = 0; y < height; ++y) {
    png_write_row(png, row_data.data() + static_cast<size_t>(y) * static_cast<size_t>(width) * bytes_per_pixel);
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(file);
}

namespace {

void write_jpeg(const std::filesystem::path& path, int width, int height, const std::vector<uint8_t>& pixels,
                int pixel_format, int subsampling, int quality) {
  tjhandle handle = tjInitCompress();
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  if (tjCompress2(handle, pixels.data(), width, 0, height, pixel_format, &jpeg, &size, subsampling, quality,
                  TJFLAG_ACCURATEDCT) != 0) {
    const std::string error = tjGetErrorStr2(handle);
    tjDestroy(handle);
    throw std::runtime_error("tjCompress2: " + error);
  }
  write_bytes(path, std::vector<uint8_t>(jpeg, jpeg + size));
  tjFree(jpeg);
  tjDestroy(handle);
}

}  // namespace

void write_jpeg_rgb(const std::filesystem::path& path, int width, int height, const std::vector<uint8_t>& rgb,
                    int quality) {
  write_jpeg(path, width, height, rgb, TJPF_RGB, TJSAMP_444, quality);
}

void write_jpeg_gray(const std::filesystem::path& path, int width, int height, const std::vector<uint8_t>& gray) {
  write_jpeg(path, width, height, gray, TJPF_GRAY, TJSAMP_GRAY, 100);
}

void write_jpeg_cmyk(const std::filesystem::path& path, int width, int height, const std::vector<uint8_t>& cmyk) {
  write_jpeg(path, width, height, cmyk, TJPF_CMYK, TJSAMP_444, 100);
}

void write_solid_png(const std::filesystem::path& path, int size, uint8_t r, uint8_t g, uint8_t b) {
  std::vector<uint8_t> rgb;
  for (int i = 0; i < size * size; ++i) rgb.insert(rgb.end(), {r, g, b});
  write_png(path, size, size, PngLayout::kRgb8, rgb);
}

std::vector<uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

torch::jit::Module make_stats_backbone() {
  torch::jit::Module module("StatsBackbone");
  module.define(R"JIT(
def forward(self, x):
    flat = x.flatten(2)
    return torch.stack([flat.mean(2), flat.amax(2), flat.amin(2)], 1)
)JIT");
  return module;
}

torch::jit::Module make_pooled_backbone() {
  torch::jit::Module module("PooledBackbone");
  module.define(R"JIT(
def forward(self, x):
    return x.flatten(2).mean(2)
)JIT");
  return module;
}

}  // namespace mmoe::data::testing
