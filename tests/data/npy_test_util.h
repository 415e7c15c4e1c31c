#pragma once
// Hand-built NumPy .npy files for the import tests: the bytes are assembled here from the format
// description (magic, version, little-endian header length, padded dict, raw data), not by numpy
// and not by mmoe::data.
#include <cstdint>
#include <string>
#include <vector>

namespace mmoe::data::testing {

// The header dict and data; `major` 1 uses a 2-byte header length, 2 and 3 a 4-byte one. The
// header is padded with spaces and a '\n' so the data starts at a multiple of 64 bytes.
std::string npy_bytes(const std::string& dict, const std::string& data, int major = 1);
std::string npy_dict(const std::string& descr, bool fortran_order, const std::string& shape);

// Little-endian bytes of 32-bit / 16-bit patterns, e.g. f32_bits({0x3F800000}) is 1.0f.
std::string f32_bits(const std::vector<uint32_t>& patterns);
std::string f16_bits(const std::vector<uint16_t>& patterns);

}  // namespace mmoe::data::testing
