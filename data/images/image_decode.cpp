#include "data/images/image_decode.h"

#include <csetjmp>
#include <cstring>
#include <fstream>
#include <memory>

#include <png.h>
#include <turbojpeg.h>

namespace mmoe::data {
namespace {

bool is_jpeg(const std::vector<uint8_t>& b) { return b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF; }
bool is_png(const std::vector<uint8_t>& b) { return b.size() >= 8 && png_sig_cmp(b.data(), 0, 8) == 0; }

[[noreturn]] void fail(ImageErrorKind kind, const std::string& name, const std::string& what) {
  throw ImageError(kind, name + ": " + what);
}

// CMYK as Adobe writes it in JPEGs (inverted): R = C * K / 255 on the stored values.
void cmyk_to_rgb(const std::vector<uint8_t>& cmyk, RgbImage& image) {
  const size_t pixels = static_cast<size_t>(image.height * image.width);
  image.pixels.resize(pixels * 3);
  for (size_t p = 0; p < pixels; ++p) {
    const unsigned k = cmyk[p * 4 + 3];
    for (size_t c = 0; c < 3; ++c) {
      image.pixels[p * 3 + c] = static_cast<uint8_t>((cmyk[p * 4 + c] * k + 127) / 255);
    }
  }
}

RgbImage decode_jpeg(const std::vector<uint8_t>& bytes, const std::string& name) {
  std::unique_ptr<void, int (*)(tjhandle)> handle(tjInitDecompress(), tjDestroy);
  if (!handle) fail(ImageErrorKind::kUnsupported, name, "cannot start the JPEG decoder");
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  auto* data = const_cast<unsigned char*>(bytes.data());
  const auto size = static_cast<unsigned long>(bytes.size());
  if (tjDecompressHeader3(handle.get(), data, size, &width, &height, &subsampling, &colorspace) != 0) {
    fail(ImageErrorKind::kTruncated, name, std::string("corrupt JPEG header (") + tjGetErrorStr2(handle.get()) + ")");
  }
  if (width <= 0 || height <= 0) fail(ImageErrorKind::kTruncated, name, "JPEG without image dimensions (truncated header)");
  RgbImage image{height, width, {}};
  const bool cmyk = colorspace == TJCS_CMYK || colorspace == TJCS_YCCK;
  std::vector<uint8_t> out(static_cast<size_t>(width) * static_cast<size_t>(height) * (cmyk ? 4 : 3));
  const int status = tjDecompress2(handle.get(), data, size, out.data(), width, 0, height,
                                   cmyk ? TJPF_CMYK : TJPF_RGB, TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING);
  // A warning (e.g. "premature end of data") means the image is incomplete: report it.
  if (status != 0) {
    fail(ImageErrorKind::kTruncated, name, std::string("truncated or corrupt JPEG (") + tjGetErrorStr2(handle.get()) + ")");
  }
  if (cmyk) {
    cmyk_to_rgb(out, image);
  } else {
    image.pixels = std::move(out);
  }
  return image;
}

struct PngReadState {
  const std::vector<uint8_t>* bytes = nullptr;
  size_t offset = 0;
  std::string error;
};

void png_read_bytes(png_structp png, png_bytep out, png_size_t count) {
  auto* state = static_cast<PngReadState*>(png_get_io_ptr(png));
  if (state->offset + count > state->bytes->size()) png_error(png, "file ends early");
  std::memcpy(out, state->bytes->data() + state->offset, count);
  state->offset += count;
}

void png_on_error(png_structp png, png_const_charp message) {
  static_cast<PngReadState*>(png_get_error_ptr(png))->error = message;
  png_longjmp(png, 1);
}

void png_on_warning(png_structp, png_const_charp) {}

RgbImage decode_png(const std::vector<uint8_t>& bytes, const std::string& name) {
  PngReadState state{&bytes, 0, {}};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, png_on_error, png_on_warning);
  if (png == nullptr) fail(ImageErrorKind::kUnsupported, name, "cannot start the PNG decoder");
  png_infop info = png_create_info_struct(png);
  RgbImage image;
  std::vector<png_bytep> rows;
  // Nothing with a destructor is created between setjmp and the libpng calls that may longjmp.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    fail(ImageErrorKind::kTruncated, name, "truncated or corrupt PNG (" + state.error + ")");
  }
  png_set_read_fn(png, &state, png_read_bytes);
  png_read_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info);
  const png_uint_32 height = png_get_image_height(png, info);
  const int color_type = png_get_color_type(png, info);
  const int bit_depth = png_get_bit_depth(png, info);
  // Everything to 8-bit RGB: palette -> RGB, gray < 8 bit -> 8 bit, tRNS -> alpha (then
  // stripped), 16 -> 8 bit, gray -> RGB.
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (bit_depth == 16) png_set_strip_16(png);
  if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
  png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  image.height = height;
  image.width = width;
  image.pixels.resize(static_cast<size_t>(width) * height * 3);
  rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y) rows[y] = image.pixels.data() + static_cast<size_t>(y) * width * 3;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  if (width == 0 || height == 0) fail(ImageErrorKind::kUnsupported, name, "PNG of zero size");
  return image;
}

}  // namespace

const char* to_string(ImageErrorKind kind) {
  switch (kind) {
    case ImageErrorKind::kMissing: return "missing";
    case ImageErrorKind::kTruncated: return "truncated";
    case ImageErrorKind::kNotImage: return "not_an_image";
    case ImageErrorKind::kUnsupported: return "unsupported";
  }
  return "unknown";
}

RgbImage decode_image_bytes(const std::vector<uint8_t>& bytes, const std::string& name) {
  if (is_jpeg(bytes)) return decode_jpeg(bytes, name);
  if (is_png(bytes)) return decode_png(bytes, name);
  fail(ImageErrorKind::kNotImage, name, "not a JPEG or PNG file (by its first bytes)");
}

RgbImage decode_image(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ImageErrorKind::kMissing, path.string(), "cannot open the image (missing or unreadable)");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return decode_image_bytes(bytes, path.string());
}

}  // namespace mmoe::data
