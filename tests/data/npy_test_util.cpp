#include "npy_test_util.h"

namespace mmoe::data::testing {

std::string npy_dict(const std::string& descr, bool fortran_order, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran_order ? "True" : "False") + ", 'shape': " + shape +
         ", }";
}

std::string npy_bytes(const std::string& dict, const std::string& data, int major) {
  const size_t length_bytes = major == 1 ? 2 : 4;
  std::string header = dict;
  while ((6 + 2 + length_bytes + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += static_cast<char>(major);
  bytes += '\0';
  for (size_t i = 0; i < length_bytes; ++i) bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return bytes + header + data;
}

std::string f32_bits(const std::vector<uint32_t>& patterns) {
  std::string bytes;
  for (uint32_t p : patterns) {
    for (int i = 0; i < 4; ++i) bytes += static_cast<char>((p >> (8 * i)) & 0xff);
  }
  return bytes;
}

std::string f16_bits(const std::vector<uint16_t>& patterns) {
  std::string bytes;
  for (uint16_t p : patterns) {
    bytes += static_cast<char>(p & 0xff);
    bytes += static_cast<char>(p >> 8);
  }
  return bytes;
}

}  // namespace mmoe::data::testing
