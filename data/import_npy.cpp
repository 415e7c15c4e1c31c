#include "data/import_npy.h"

#include <cctype>
#include <fstream>

#include "data/data_error.h"

namespace mmoe::data {
namespace {

// A cursor over the header's Python dict literal, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class DictParser {
 public:
  DictParser(const std::string& text, const std::string& file) : text_(text), file_(file) {}

  void skip_spaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool accept(char c) {
    skip_spaces();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "'");
  }
  std::string quoted() {
    skip_spaces();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) fail("expected a quoted string");
    const char quote = text_[pos_++];
    const size_t end = text_.find(quote, pos_);
    if (end == std::string::npos) fail("unterminated string");
    std::string value = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return value;
  }
  bool boolean() {
    skip_spaces();
    if (text_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (text_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    fail("expected True or False");
  }
  std::vector<int64_t> tuple() {
    expect('(');
    std::vector<int64_t> values;
    while (!accept(')')) {
      skip_spaces();
      size_t digits = 0;
      while (pos_ + digits < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_ + digits]))) ++digits;
      if (digits == 0 || digits > 18) fail("expected a dimension (a non-negative integer)");
      values.push_back(std::stoll(text_.substr(pos_, digits)));
      pos_ += digits;
      if (!accept(',')) {
        expect(')');
        break;
      }
    }
    return values;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw DataError(file_ + ": malformed .npy header (" + what + " at character " + std::to_string(pos_) +
                    " of \"" + text_ + "\")");
  }

 private:
  const std::string& text_;
  const std::string& file_;
  size_t pos_ = 0;
};

uint32_t little_endian(const std::string& bytes, size_t offset, size_t count) {
  uint32_t value = 0;
  for (size_t i = 0; i < count; ++i) value |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
  return value;
}

}  // namespace

NpyHeader parse_npy_header(const std::string& bytes, const std::string& file) {
  static const std::string kMagic = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.compare(0, kMagic.size(), kMagic) != 0) {
    throw DataError(file + ": not a NumPy .npy file (no \\x93NUMPY magic at the start)");
  }
  NpyHeader header;
  header.major_version = static_cast<unsigned char>(bytes[6]);
  size_t length_bytes = 0;
  if (header.major_version == 1) {
    length_bytes = 2;
  } else if (header.major_version == 2 || header.major_version == 3) {
    length_bytes = 4;
  } else {
    throw DataError(file + ": .npy format version " + std::to_string(header.major_version) +
                    " is not supported (1, 2 or 3)");
  }
  const size_t start = 8 + length_bytes;
  if (bytes.size() < start) throw DataError(file + ": truncated .npy header");
  const size_t length = little_endian(bytes, 8, length_bytes);
  if (bytes.size() < start + length) throw DataError(file + ": truncated .npy header");
  const std::string dict = bytes.substr(start, length);
  header.data_offset_bytes = static_cast<int64_t>(start + length);

  DictParser parser(dict, file);
  bool has_descr = false, has_order = false, has_shape = false;
  parser.expect('{');
  while (!parser.accept('}')) {
    const std::string key = parser.quoted();
    parser.expect(':');
    if (key == "descr") {
      header.descr = parser.quoted();
      has_descr = true;
    } else if (key == "fortran_order") {
      header.fortran_order = parser.boolean();
      has_order = true;
    } else if (key == "shape") {
      header.shape = parser.tuple();
      has_shape = true;
    } else {
      parser.fail("unknown key '" + key + "'");
    }
    if (!parser.accept(',')) {
      parser.expect('}');
      break;
    }
  }
  if (!has_descr || !has_order || !has_shape) {
    throw DataError(file + ": malformed .npy header (needs 'descr', 'fortran_order' and 'shape'): " + dict);
  }
  return header;
}

torch::Tensor read_npy_features(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(file + ": cannot open the features file (does it exist?)");
  std::string head(16, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  // Read enough for the header: its length is in the first 8 + 4 bytes.
  if (head.size() >= 12 && head.compare(0, 6, "\x93NUMPY") == 0) {
    const size_t length_bytes = static_cast<unsigned char>(head[6]) == 1 ? 2 : 4;
    const size_t wanted = 8 + length_bytes + little_endian(head, 8, length_bytes);
    if (wanted > head.size() && wanted < (size_t{1} << 24)) {
      std::string rest(wanted - head.size(), '\0');
      in.read(rest.data(), static_cast<std::streamsize>(rest.size()));
      head += rest.substr(0, static_cast<size_t>(in.gcount()));
    }
  }
  const NpyHeader header = parse_npy_header(head, file);
  torch::ScalarType dtype;
  if (header.descr == "<f4") {
    dtype = torch::kFloat32;
  } else if (header.descr == "<f2") {
    dtype = torch::kFloat16;
  } else {
    throw DataError(file + ": dtype '" + header.descr +
                    "' is not supported; features must be float32 ('<f4') or float16 ('<f2'); "
                    "convert with np.save(path, x.astype(np.float32))");
  }
  if (header.fortran_order) {
    throw DataError(file + ": array is in Fortran order; save it in C order: np.save(path, np.ascontiguousarray(x))");
  }
  if (header.shape.size() != 2) {
    throw DataError(file + ": array has " + std::to_string(header.shape.size()) +
                    " dimensions; features must be 2-D [rows, features]");
  }
  const int64_t rows = header.shape[0], columns = header.shape[1];
  if (rows == 0 || columns == 0) {
    throw DataError(file + ": array is empty (shape " + std::to_string(rows) + " x " + std::to_string(columns) + ")");
  }
  const int64_t item_bytes = dtype == torch::kFloat32 ? 4 : 2;
  const int64_t data_bytes = rows * columns * item_bytes;
  std::error_code error;
  const auto file_bytes = static_cast<int64_t>(std::filesystem::file_size(path, error));
  const int64_t expected_bytes = header.data_offset_bytes + data_bytes;
  if (file_bytes < expected_bytes) {
    throw DataError(file + ": truncated: shape (" + std::to_string(rows) + ", " + std::to_string(columns) + ") needs " +
                    std::to_string(expected_bytes) + " bytes but the file has " + std::to_string(file_bytes));
  }
  if (file_bytes > expected_bytes) {
    throw DataError(file + ": " + std::to_string(file_bytes - expected_bytes) +
                    " bytes after the array data; not a single .npy array (an .npz archive or appended data?)");
  }
  auto values = torch::empty({rows, columns}, dtype);
  in.clear();
  in.seekg(header.data_offset_bytes);
  in.read(static_cast<char*>(values.data_ptr()), static_cast<std::streamsize>(data_bytes));
  if (in.gcount() != data_bytes) throw DataError(file + ": I/O error reading the array data");
  values = values.to(torch::kFloat32);
  const auto finite = torch::isfinite(values);
  if (!finite.all().item<bool>()) {
    const auto where = (~finite).nonzero()[0];
    throw DataError(file + ": row " + std::to_string(where[0].item<int64_t>()) + " column " +
                    std::to_string(where[1].item<int64_t>()) + " (0-based) is NaN or Inf; features must be finite");
  }
  return values;
}

}  // namespace mmoe::data
