#pragma once
// Reads a 2-D NumPy .npy array of features (format versions 1.0, 2.0 and 3.0; the header is
// parsed here, no Python involved): little-endian float32 ('<f4') or float16 ('<f2'), C order.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace mmoe::data {

struct NpyHeader {
  int major_version = 0;
  std::string descr;  // e.g. "<f4"
  bool fortran_order = false;
  std::vector<int64_t> shape;
  int64_t data_offset_bytes = 0;  // where the array data starts
};

// Parses the header of `bytes` (the file's first bytes, at least up to the end of the header);
// DataError naming `file` when the magic, version or header dict is malformed.
NpyHeader parse_npy_header(const std::string& bytes, const std::string& file);

// The whole array as float32 [rows, columns]. DataError naming the file for: a missing file, a
// malformed header, another dtype, Fortran order, a shape that is not 2-D, no rows, a file
// shorter (truncated) or longer than the shape says, and NaN or Inf (with row and column).
torch::Tensor read_npy_features(const std::filesystem::path& path);

}  // namespace mmoe::data
