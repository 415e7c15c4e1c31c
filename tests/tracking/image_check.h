#pragma once
// Independent checks of the image files the report writes: a PNG's signature and IHDR size and
// its decoded pixels (libpng), an SVG parsed as XML (expat): root element, size, drawing elements.
#include <cstdint>
#include <filesystem>
#include <string>

namespace mmoe::tracking::testing {

struct ImageFacts {
  bool valid = false;  // PNG: signature + IHDR + decodes; SVG: well-formed XML with root <svg>
  std::string problem;  // why not valid
  int64_t width = 0;
  int64_t height = 0;
  int64_t distinct_colours = 0;   // PNG: distinct RGBA pixel values
  int64_t drawing_elements = 0;   // SVG: path, polygon, rect, line, polyline, circle, text elements
};

ImageFacts inspect_png(const std::filesystem::path& path);
ImageFacts inspect_svg(const std::filesystem::path& path);

// True when gnuplot is on PATH (tests that draw skip otherwise).
bool have_gnuplot();

}  // namespace mmoe::tracking::testing
