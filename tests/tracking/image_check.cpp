#include "image_check.h"

#include <expat.h>
#include <png.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <vector>

namespace mmoe::tracking::testing {
namespace {

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

uint32_t big_endian(const std::string& bytes, std::size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(bytes[at])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 3]));
}

struct SvgState {
  int depth = 0;
  std::string root;
  std::string width;
  std::string height;
  int64_t drawing = 0;
};

void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char** attributes) {
  auto* state = static_cast<SvgState*>(data);
  const std::string element = name;
  if (state->depth++ == 0) {
    state->root = element;
    for (int i = 0; attributes[i] != nullptr; i += 2) {
      if (std::strcmp(attributes[i], "width") == 0) state->width = attributes[i + 1];
      if (std::strcmp(attributes[i], "height") == 0) state->height = attributes[i + 1];
    }
  }
  static const std::set<std::string> kDrawing = {"path", "polygon", "rect", "line", "polyline", "circle", "text"};
  if (kDrawing.count(element)) ++state->drawing;
}

void XMLCALL on_end(void* data, const XML_Char*) { --static_cast<SvgState*>(data)->depth; }

}  // namespace

ImageFacts inspect_png(const std::filesystem::path& path) {
  ImageFacts facts;
  const std::string bytes = read_bytes(path);
  static const char kSignature[] = "\x89PNG\r\n\x1a\n";
  if (bytes.size() < 33 || bytes.compare(0, 8, std::string(kSignature, 8)) != 0) {
    facts.problem = "no PNG signature";
    return facts;
  }
  if (bytes.compare(12, 4, "IHDR") != 0) {
    facts.problem = "first chunk is not IHDR";
    return facts;
  }
  facts.width = big_endian(bytes, 16);
  facts.height = big_endian(bytes, 20);

  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    facts.problem = std::string("libpng: ") + image.message;
    return facts;
  }
  image.format = PNG_FORMAT_RGBA;
  std::vector<uint8_t> pixels(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr)) {
    facts.problem = std::string("libpng: ") + image.message;
    return facts;
  }
  if (image.width != facts.width || image.height != facts.height) {
    facts.problem = "IHDR size differs from the decoded size";
    return facts;
  }
  std::set<uint32_t> colours;
  for (std::size_t i = 0; i + 3 < pixels.size(); i += 4) {
    colours.insert(big_endian(std::string(reinterpret_cast<const char*>(&pixels[i]), 4), 0));
  }
  facts.distinct_colours = static_cast<int64_t>(colours.size());
  facts.valid = true;
  return facts;
}

ImageFacts inspect_svg(const std::filesystem::path& path) {
  ImageFacts facts;
  const std::string bytes = read_bytes(path);
  SvgState state;
  XML_Parser parser = XML_ParserCreate(nullptr);
  XML_SetUserData(parser, &state);
  XML_SetElementHandler(parser, on_start, on_end);
  const bool ok = XML_Parse(parser, bytes.data(), static_cast<int>(bytes.size()), 1) == XML_STATUS_OK;
  if (!ok) facts.problem = std::string("expat: ") + XML_ErrorString(XML_GetErrorCode(parser));
  XML_ParserFree(parser);
  if (!ok) return facts;
  if (state.root != "svg") {
    facts.problem = "root element is <" + state.root + ">";
    return facts;
  }
  facts.width = std::atoll(state.width.c_str());
  facts.height = std::atoll(state.height.c_str());
  facts.drawing_elements = state.drawing;
  facts.valid = true;
  return facts;
}

bool have_gnuplot() { return std::system("gnuplot --version > /dev/null 2>&1") == 0; }

}  // namespace mmoe::tracking::testing
