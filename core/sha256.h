#pragma once
// SHA-256 (FIPS 180-4) for config hashes, shard checksums and backbone provenance.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace mmoe {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size_bytes);
  void update(std::string_view text) { update(text.data(), text.size()); }
  std::string hex_digest();  // 64 lowercase hex characters; finalizes the hash

 private:
  void compress(const std::uint8_t* block);
  std::uint32_t state_[8];
  std::uint8_t buffer_[64];
  std::size_t buffer_size_ = 0;
  std::uint64_t total_bytes_ = 0;
  bool finalized_ = false;
};

std::string sha256_hex(std::string_view text);
// Hashes a file's bytes; throws mmoe::Error naming the path when it cannot be read.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace mmoe
